/**
/**
 * `nook images [-a] [-q] [--no-trunc] [--digests] [--filter K=V]... [--format table|json|TEMPLATE]`.
 *
 * @module
 */
import { inspectImage, listImages } from "../../lib/image/image_api.ts";
import { findImage } from "../../lib/image/find_image.ts";
import { type ImageRecord, namesHistory } from "../../lib/store/image_index.ts";
import { displayName } from "../../lib/image/display_name.ts";
import { storeLayout } from "../../lib/store/layout.ts";
import { imageFilter } from "../image_filter.ts";
import { type FlagSpec, helpText, parseArgs } from "../args.ts";
import { ago, humanSize, table } from "../table.ts";
import { withHidden } from "../hidden_fields.ts";
import { sys } from "../../lib/sys/sys.ts";

const FLAGS: FlagSpec[] = [
  {
    name: "all",
    short: "a",
    type: "bool",
    help: "Show all images (nook keeps no intermediate ones: the same list)",
  },
  { name: "quiet", short: "q", type: "bool", help: "Only image ids" },
  { name: "no-trunc", type: "bool", help: "Show whole image ids (sha256:...)" },
  {
    name: "filter",
    short: "f",
    type: "list",
    value: "KEY=VALUE",
    help: "dangling=true|false, reference=PATTERN, before=IMAGE, since=IMAGE, label=KEY[=VALUE]",
  },
  { name: "digests", type: "bool", help: "Show digests" },
  { name: "noheading", short: "n", type: "bool", help: "No header line (podman)" },
  {
    name: "format",
    type: "string",
    value: "FORMAT",
    help: "table (default), json, or a template like '{{.Repository}}:{{.Tag}} {{.ID}}'",
  },
  { name: "help", type: "bool", help: "Print usage" },
];

function short(name: string): [string, string] {
  const at = name.lastIndexOf(":");
  let repo = name.slice(0, at);
  const tag = name.slice(at + 1);
  if (repo.startsWith("docker.io/library/")) repo = repo.slice(18);
  else if (repo.startsWith("docker.io/")) repo = repo.slice(10);
  return [repo, tag];
}

/** docker's column titles, by template field. */
const HEADERS: Record<string, string> = {
  ID: "IMAGE ID",
  Repository: "REPOSITORY",
  Tag: "TAG",
  Digest: "DIGEST",
  CreatedSince: "CREATED",
  CreatedAt: "CREATED AT",
  Size: "SIZE",
  Containers: "CONTAINERS",
  SharedSize: "SHARED SIZE",
  UniqueSize: "UNIQUE SIZE",
  VirtualSize: "VIRTUAL SIZE",
}; // deno-fmt-ignore

/** Go's `time.Time` as docker prints it: `2024-05-01 10:20:30 +0000 UTC`. */
function goTime(iso: string): string {
  return new Date(iso).toISOString().replace("T", " ").replace(/\.\d+Z$/, " +0000 UTC");
}

/** podman's `.History` of `images`: every name the image had, its current ones first. */
function historyText(img: ImageRecord): string {
  return namesHistory(img).map(displayName).join(", ");
}

/**
 * One row a name, with docker's fields (and podman's, which `{{json .}}` leaves out:
 * `.Labels` read from the image's config only when `labels` says so).
 */
function imageRows(
  images: ImageRecord[],
  shownId: (id: string) => string,
  labels: (img: ImageRecord) => Record<string, string>,
): Record<string, string>[] {
  return images.flatMap((img) =>
    (img.names.length ? img.names.map(short) : [["<none>", "<none>"]]).map(([repo, tag]) => {
      const size = humanSize(img.size, 3);
      const row = {
        Containers: "N/A",
        CreatedAt: goTime(img.pulled),
        CreatedSince: ago(img.pulled),
        Digest: img.manifestDigest || "<none>",
        ID: shownId(img.id),
        Repository: repo,
        SharedSize: "N/A",
        Size: size,
        Tag: tag,
        UniqueSize: "N/A",
        VirtualSize: size,
      };
      return withHidden(row, {
        Created: row.CreatedSince,
        Id: img.id,
        Names: img.names,
        History: historyText(img),
        Labels: labels(img),
      });
    })
  );
}

/**
 * Runs `nook images`.
 *
 * @param args Arguments after "images".
 * @returns 0.
 *
 * @example
 * ```ts ignore
 * await main(["--format", "json"]);
 * ```
 */
export async function main(args: string[]): Promise<number> {
  const p = parseArgs(args, FLAGS, { command: "images", stopAtPositional: false });
  if (p.bools.help) {
    console.log(helpText("nook images [OPTIONS]", "List images.", FLAGS));
    return 0;
  }
  const format = p.strings.format ?? "table";
  const layout = storeLayout();
  const pass = imageFilter(p.lists.filter, {
    find: (ref) => findImage(layout, ref),
    labels: (image) => inspectImage(image.id).Config.Labels ?? {},
  });
  const images = listImages().filter(pass);
  const labels = (img: ImageRecord) => inspectImage(img.id).Config.Labels ?? {};
  const shownId = (id: string) => p.bools["no-trunc"] ? id : id.slice(7, 19);
  if (format !== "table" && format !== "json" && !p.bools.quiet) {
    // The template engine is loaded only for a template.
    const { formatRows } = await import("../format_rows.ts");
    const table = [
      "{{.Repository}}",
      "{{.Tag}}",
      ...(p.bools.digests ? ["{{.Digest}}"] : []),
      "{{.ID}}",
      "{{.CreatedSince}}",
      "{{.Size}}",
    ].join("\t"); // deno-fmt-ignore
    const rowLabels = format.includes("Labels") ? labels : () => ({});
    const rows = imageRows(images, shownId, rowLabels);
    sys.stdout(formatRows(format, rows, { headers: HEADERS, table, noHeading: p.bools.noheading }));
    return 0;
  }
  if (p.bools.quiet) {
    for (const img of images) console.log(shownId(img.id));
  } else if (format === "json") {
    console.log(JSON.stringify(
      // podman's array: its Id is the id's hex.
      images.map((i) => ({
        Id: i.id.replace(/^sha256:/, ""),
        RepoTags: i.names,
        RepoDigests: i.repoDigests,
        Size: i.size,
        Created: i.pulled,
        CreatedAt: i.pulled,
        Names: i.names,
        Digest: i.manifestDigest,
        Labels: labels(i),
        History: namesHistory(i),
      })),
      null,
      2,
    ));
  } else {
    const rows: string[][] = [];
    for (const img of images) {
      const names = img.names.length ? img.names.map(short) : [["<none>", "<none>"]];
      for (const [repo, tag] of names) {
        const row = [repo, tag];
        if (p.bools.digests) row.push(img.manifestDigest);
        rows.push([
          ...row,
          shownId(img.id),
          ago(img.pulled),
          `${(img.size / 1e6).toFixed(1)}MB`,
        ]);
      }
    }
    const head = [
      "REPOSITORY",
      "TAG",
      ...(p.bools.digests ? ["DIGEST"] : []),
      "IMAGE ID",
      "CREATED",
      "SIZE",
    ];
    sys.stdout(p.bools.noheading ? table(head, rows).replace(/^.*\n/, "") : table(head, rows));
  }
  return 0;
}
