// Packs every publishable package the way it will be published (pnpm pack: workspace: ranges
// replaced) and checks the tarball with publint and @arethetypeswrong/cli. Exits 1 on any problem.
import { execFileSync } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";

const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), "..");
const dirs = [
  ...readdirSync(path.join(root, "packages")).map((d) => path.join(root, "packages", d)),
  path.join(root, "conformance"),
].filter((d) => existsSync(path.join(d, "package.json")));

const bin = (name) => path.join(root, "node_modules", ".bin", name);
const out = mkdtempSync(path.join(tmpdir(), "langswarm-pack-"));
let failures = 0;
for (const dir of dirs) {
  const pkg = JSON.parse(readFileSync(path.join(dir, "package.json"), "utf8"));
  if (pkg.private) continue;
  const label = pkg.name.padEnd(36);
  try {
    const dest = path.join(out, path.basename(dir));
    execFileSync("pnpm", ["pack", "--pack-destination", dest], { cwd: dir, stdio: "pipe" });
    const tarball = path.join(
      dest,
      readdirSync(dest).find((f) => f.endsWith(".tgz")),
    );
    execFileSync(bin("publint"), ["run", "--strict", "--pack", "pnpm"], { cwd: dir, stdio: "pipe" });
    execFileSync(bin("attw"), [tarball, "--format", "table-flipped", "--no-emoji"], {
      cwd: dir,
      stdio: "pipe",
    });
    console.log(`ok    ${label} publint + attw clean`);
  } catch (error) {
    failures++;
    console.log(`FAIL  ${label}\n${String(error.stdout ?? "")}${String(error.stderr ?? error.message)}`);
  }
}
rmSync(out, { recursive: true, force: true });
process.exit(failures > 0 ? 1 : 0);
