/**
 * Platforms (`os/arch[/variant]`), parsed and normalised as containerd does.
 *
 * @module
 */
import { UsageError } from "../errors/mod.ts";

/** A platform, with the field names of the OCI image index. */
export interface Platform {
  /** Operating system: `linux`. */
  os: string;
  /** CPU architecture in Go's names: `amd64`, `arm64`, `arm`, `386`, `ppc64le`, `s390x`, `riscv64`. */
  architecture: string;
  /** CPU variant: `v8` for arm64, `v7`/`v6`/`v5` for arm. */
  variant?: string;
  /** OS version (Windows images). */
  "os.version"?: string;
  /** OS features (Windows images). */
  "os.features"?: string[];
}

const COMPONENT = /^[a-z0-9_.-]+$/;
const KNOWN_OS = new Set(["linux", "windows", "darwin", "freebsd", "netbsd", "openbsd", "solaris"]);

/**
 * A platform in canonical form: lowercase; `x86_64`/`x86-64` -> `amd64`,
 * `aarch64` -> `arm64` (variant `v8`), `armhf` -> `arm` `v7`, `armel` ->
 * `arm` `v6`, `i386`/`i686` -> `386`; `arm` without a variant is `v7`;
 * variants `8`, `v8.0` -> `v8`; amd64 `v1` is no variant.
 *
 * @param platform Any platform.
 * @returns The same platform in canonical form (a new object).
 *
 * @example
 * ```ts
 * import { normalizePlatform } from "./platform.ts";
 * const p = normalizePlatform({ os: "Linux", architecture: "aarch64" });
 * console.assert(p.architecture === "arm64" && p.variant === "v8");
 * ```
 */
export function normalizePlatform(platform: Platform): Platform {
  const os = platform.os.toLowerCase();
  let architecture = platform.architecture.toLowerCase();
  let variant = platform.variant?.toLowerCase() || undefined;
  const asV = (v: string | undefined) => (v && /^[0-9]/.test(v) ? `v${v}` : v);
  switch (architecture) {
    case "x86_64":
    case "x86-64":
    case "amd64":
      architecture = "amd64";
      if (variant === "v1") variant = undefined;
      break;
    case "i386":
    case "i686":
      architecture = "386";
      variant = undefined;
      break;
    case "aarch64":
    case "arm64":
      architecture = "arm64";
      variant = variant === undefined || variant === "8" || variant === "v8.0"
        ? "v8"
        : asV(variant);
      break;
    case "armhf":
      architecture = "arm";
      variant = "v7";
      break;
    case "armel":
      architecture = "arm";
      variant = "v6";
      break;
    case "arm":
      variant = asV(variant) ?? "v7";
      break;
  }
  const out: Platform = { os, architecture };
  if (variant !== undefined) out.variant = variant;
  if (platform["os.version"] !== undefined) out["os.version"] = platform["os.version"];
  if (platform["os.features"] !== undefined) out["os.features"] = platform["os.features"];
  return out;
}

/**
 * Parses a `--platform` value: `os/arch[/variant]`, or a bare architecture
 * (`arm64`, meaning `linux/arm64`), and normalises it
 * ({@linkcode normalizePlatform}).
 *
 * @param text Such as `linux/amd64`, `linux/arm64/v8`, `linux/arm/v7`.
 * @returns The canonical platform.
 * @throws {UsageError} When the text is empty, has more than three parts or
 *   characters other than lowercase letters, digits, `_`, `.`, `-`.
 *
 * @example
 * ```ts
 * import { parsePlatform } from "./platform.ts";
 * const p = parsePlatform("linux/arm64");
 * console.assert(p.os === "linux" && p.architecture === "arm64" && p.variant === "v8");
 * ```
 */
export function parsePlatform(text: string): Platform {
  const parts = text.trim().toLowerCase().split("/");
  if (text.trim() === "" || parts.length > 3 || parts.some((p) => !COMPONENT.test(p))) {
    throw new UsageError(
      `Invalid platform '${text}': expected OS/ARCH[/VARIANT], such as 'linux/arm64'`,
    );
  }
  if (parts.length === 1) {
    if (KNOWN_OS.has(parts[0])) {
      throw new UsageError(
        `Invalid platform '${text}': give an architecture too, such as '${parts[0]}/amd64'`,
      );
    }
    return normalizePlatform({ os: "linux", architecture: parts[0] });
  }
  const [os, architecture, variant] = parts;
  return normalizePlatform({ os, architecture, variant });
}

/**
 * The `os/arch[/variant]` text of a platform, as `--platform` takes it.
 *
 * @param platform A platform.
 * @returns Such as `linux/arm64/v8`.
 *
 * @example
 * ```ts
 * import { formatPlatform } from "./platform.ts";
 * console.assert(formatPlatform({ os: "linux", architecture: "amd64" }) === "linux/amd64");
 * ```
 */
export function formatPlatform(platform: Platform): string {
  const base = `${platform.os}/${platform.architecture}`;
  return platform.variant ? `${base}/${platform.variant}` : base;
}
