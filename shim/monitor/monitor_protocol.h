/*
 * nook-monitor: the texts the monitor shares with TypeScript.
 *
 * Three of them: the config file nook writes (one setting a line), the
 * one-line report the monitor writes on its stdout once the container runs or
 * could not start, and the state file it replaces at each change (which nook
 * reads, and a foreground `nook run` writes too). One more: the stop marker's
 * content.
 *
 * lib/monitor/monitor_protocol.ts mirrors every name in this file;
 * tests/monitor_protocol_test.ts checks that the two agree, both ways, and that
 * the monitor's .c files spell none of these words themselves.
 */
#ifndef NOOK_MONITOR_PROTOCOL_H
#define NOOK_MONITOR_PROTOCOL_H

/* The value of a field that is not known (a start time that could not be read). */
#define MON_NONE "-"

/* --- The config file: "KEY<TAB>VALUE[<TAB>VALUE...]" lines. ------------------------ */
/* Flags are 0 or 1; numbers are decimal. Required: id, program, state, log. */
#define MON_MAX_ARGS 64       /* the size of an argv array: a line holds one value less */
#define MON_MAX_REQUESTS 1024 /* net-request lines in one config */
#define MON_KEY_ID "id"                     /* the container's (or network's) id */
#define MON_KEY_PROGRAM "program"           /* the step program (binary) */
#define MON_KEY_STATE "state"               /* the state file */
#define MON_KEY_LOG "log"                   /* the log file (k8s-file lines) */
#define MON_KEY_ATTACH "attach"             /* the attach socket to listen on */
#define MON_KEY_STOP_MARKER "stop-marker"   /* present when a user stopped it: no restart */
#define MON_KEY_LOG_MAX_SIZE "log-max-size" /* bytes, 0: no limit */
#define MON_KEY_LOG_MAX_FILES "log-max-files" /* files kept with rotation (>= 1) */
#define MON_KEY_RESTART "restart"           /* POLICY MAX (MAX: on-failure's limit, 0: none) */
#define MON_KEY_OPEN_STDIN "open-stdin"     /* flag: keep a stdin for attach clients */
#define MON_KEY_TTY "tty"                   /* flag: the program makes a pty */
#define MON_KEY_WAIT_ATTACH "wait-attach"   /* flag: wait (10 s) for an attach client first */
#define MON_KEY_USERNS "userns"             /* MON_USERNS_NEW (default) or MON_USERNS_JOIN */
#define MON_KEY_NEWUIDMAP "newuidmap"       /* PATH RANGES...: the pid is put after PATH */
#define MON_KEY_NEWGIDMAP "newgidmap"       /* PATH RANGES... */
#define MON_KEY_UID_MAP "uid-map"           /* single mapping: uid_map's text */
#define MON_KEY_GID_MAP "gid-map"           /* single mapping: gid_map's text */
#define MON_KEY_NET_HELPER "net-helper"     /* ARGV... ("{pid}": the container's pid) */
#define MON_KEY_NET_LOG "net-log"           /* the helper's stderr */
#define MON_KEY_NET_API "net-api"           /* slirp4netns's API socket */
#define MON_KEY_NET_REQUEST "net-request"   /* one API request (repeated, in order) */
#define MON_KEY_CGROUP "cgroup"             /* the container's own cgroup directory */
#define MON_KEY_ON_EXIT "on-exit"           /* ARGV... exec'd after the final exit */
#define MON_KEY_EVENTS "events"             /* the event journal: die and restart lines go there */
#define MON_KEY_EVENT_ATTRIBUTES "event-attributes" /* its events' attributes: JSON members */

/* Values of MON_KEY_RESTART's POLICY. */
#define MON_RESTART_NO "no"
#define MON_RESTART_ON_FAILURE "on-failure"
#define MON_RESTART_ALWAYS "always"
#define MON_RESTART_UNLESS_STOPPED "unless-stopped"

/* Values of MON_KEY_USERNS. */
#define MON_USERNS_NEW "new"   /* the program makes one: the monitor writes its maps */
#define MON_USERNS_JOIN "join" /* the program joins an existing one (which has its maps) */

/* Map texts (uid-map, gid-map) travel with this character for each newline. */
#define MON_MAP_NEWLINE ';'

/* --- The report: one line on stdout, "ok FIELDS" or "fail KIND FIELDS". ----------- */
/* MON_FIELDS_* name each one's space-separated fields; "...": the rest of the line. */
#define MON_REPORT_OK "ok"
#define MON_FIELDS_OK "pid pid-start" /* the container's first process, its start time */
#define MON_REPORT_FAIL "fail"

/* The kinds of failure. */
#define MON_FAIL_OTHER "other" /* in words */
#define MON_FIELDS_OTHER "text..."
#define MON_FAIL_STEP "step" /* a step of the program failed: its index, its op, the errno */
#define MON_FIELDS_STEP "step op errno"
#define MON_FAIL_CLONE "clone" /* nook_spawn failed */
#define MON_FIELDS_CLONE "errno"
#define MON_FAIL_CGROUP "cgroup" /* the cgroup could not be opened (or made again) */
#define MON_FIELDS_CGROUP "errno"
#define MON_FAIL_MAP "map" /* the id maps could not be written: why, in words */
#define MON_FIELDS_MAP "text..."
#define MON_FAIL_NET "net" /* the network helper failed: one of MON_NET_* follows */

/* The network helper's failures ("fail net spawn 2"). */
#define MON_NET_SPAWN "spawn" /* it could not be started */
#define MON_FIELDS_NET_SPAWN "errno"
#define MON_NET_READY "ready" /* it did not get ready (ETIMEDOUT, EPIPE: it exited) */
#define MON_FIELDS_NET_READY "errno"
#define MON_NET_REQUEST "request" /* it refused the net-request line INDEX (0-based) */
#define MON_FIELDS_NET_REQUEST "index reply..."

/* --- The state file: "KEY VALUE" lines, replaced atomically. ---------------------- */
#define MON_STATE_STATUS "status"               /* one of MON_STATUS_* */
#define MON_STATE_PID "pid"                     /* the container's first process, 0: none */
#define MON_STATE_PID_START "pid-start"         /* its start time (/proc/PID/stat field 22) */
#define MON_STATE_MONITOR "monitor"             /* the process that waits for it */
#define MON_STATE_MONITOR_START "monitor-start" /* its start time */
#define MON_STATE_BOOT "boot"                   /* the boot id the pids belong to */
#define MON_STATE_STARTED "started"             /* ns since the epoch */
#define MON_STATE_RESTARTS "restarts"           /* restarts done by the restart policy */
#define MON_STATE_OOM_KILLS "oom-kills"         /* the cgroup's OOM kills, when known */
#define MON_STATE_EXIT_CODE "exit-code"         /* when it ended */
#define MON_STATE_FINISHED "finished"           /* ns since the epoch, with exit-code */

/* Values of MON_STATE_STATUS. */
#define MON_STATUS_RUNNING "running"
#define MON_STATUS_RESTARTING "restarting"
#define MON_STATUS_EXITED "exited"

/* --- The event journal: the actions the monitor appends (lib/events writes the others). -- */
/* A line is docker's event as JSON ({"Type":"container","Action":...,"timeNano":N}), one
   write(2) with O_APPEND, shorter than MON_EVENT_MAX_LINE (PIPE_BUF): appends never interleave. */
#define MON_EVENT_DIE "die"     /* the container's process ended */
#define MON_EVENT_START "start" /* it started (again, by the restart policy) */
#define MON_EVENT_ATTR_EXIT_CODE "exitCode"
#define MON_EVENT_ATTR_EXEC_DURATION "execDuration" /* seconds it ran */
#define MON_EVENT_MAX_LINE 4096

/* --- The stop marker (MON_KEY_STOP_MARKER): empty, or this to be started again. --- */
#define MON_STOP_RESTART "restart" /* `nook restart`: the on-exit command must not run */

/* --- The anchor (`nook-monitor --anchor`): the name it gives itself, its /proc/PID/comm. --- */
#define MON_ANCHOR_NAME "nook-userns"

#endif
