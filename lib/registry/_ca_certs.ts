/**
 * The extra CA certificates trusted for a registry.
 *
 * @module
 */
import { sys } from "../sys/mod.ts";

/**
 * The directories searched for a registry's CA certificates when no
 * `--cert-dir` is given, as podman and docker search them.
 */
function defaultCertDirs(registry: string): string[] {
  const home = sys.env("HOME");
  const config = sys.env("XDG_CONFIG_HOME") || (home ? `${home}/.config` : undefined);
  const dirs: string[] = [];
  if (config) dirs.push(`${config}/containers/certs.d/${registry}`);
  dirs.push(`/etc/containers/certs.d/${registry}`, `/etc/docker/certs.d/${registry}`);
  return dirs;
}

/**
 * The PEM text of every `*.crt` file in `certDir`, or, without it, in the
 * first of the default directories that exists
 * (`~/.config/containers/certs.d/<registry>`,
 * `/etc/containers/certs.d/<registry>`, `/etc/docker/certs.d/<registry>`).
 * Client certificates (`*.cert`, `*.key`) are not supported.
 *
 * @param registry The registry, `host[:port]`.
 * @param certDir An explicit directory (podman's `--cert-dir`).
 * @returns PEM texts, sorted by file name; empty when there are none.
 */
export function caCertsFor(registry: string, certDir?: string): string[] {
  const dir = certDir ?? defaultCertDirs(registry).find((d) => sys.stat(d)?.isDirectory);
  if (!dir) return [];
  const certs: string[] = [];
  for (const name of sys.readDir(dir).sort()) {
    if (!name.endsWith(".crt")) continue;
    const text = sys.readText(`${dir}/${name}`);
    if (text) certs.push(text);
  }
  return certs;
}
