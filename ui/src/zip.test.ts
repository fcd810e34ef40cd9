import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { crc32, zip } from "./zip";

function python(): string | null {
  for (const p of ["python3", "python"]) {
    try {
      execFileSync(p, ["--version"]);
      return p;
    } catch {
      // try the next
    }
  }
  return null;
}

describe("zip", () => {
  it("computes the standard CRC-32", () => {
    expect(crc32(new TextEncoder().encode("123456789"))).toBe(0xcbf43926);
    expect(crc32(new Uint8Array())).toBe(0);
  });

  it("gives the same bytes for the same files", () => {
    const files: [string, string][] = [["p/a.txt", "x"]];
    expect(zip(files)).toEqual(zip(files));
  });

  it("writes an archive that Python's zipfile reads back exactly", () => {
    const py = python();
    if (!py) {
      console.warn("skipped: no python3 to read the archive back");
      return;
    }
    const files: [string, string][] = [
      ["shop/template.yaml", "Transform: AWS::Serverless-2016-10-31\n"],
      ["shop/src/orders-fn/index.js", "exports.handler = async () => ({ ok: \"✓\" });\n"],
      ["shop/events/orders-fn/api.json", "{}\n"],
    ];
    const dir = mkdtempSync(join(tmpdir(), "archsim-zip-"));
    const archive = join(dir, "shop.zip");
    writeFileSync(archive, zip(files));
    const script =
      "import json, sys, zipfile\n" +
      "z = zipfile.ZipFile(sys.argv[1])\n" +
      "assert z.testzip() is None\n" +
      "print(json.dumps([[i.filename, z.read(i).decode()] for i in z.infolist()]))\n";
    const out = execFileSync(py, ["-c", script, archive]).toString();
    expect(JSON.parse(out)).toEqual(files);
    expect(readFileSync(archive).length).toBeGreaterThan(0);
  });
});
