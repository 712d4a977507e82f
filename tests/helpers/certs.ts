// Test certificates made with openssl: a CA, a server cert for 127.0.0.1, a client cert signed by
// the CA, and a self-signed "rogue" client cert.
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import process from "node:process";
import { tmpdir } from "node:os";
import { join } from "node:path";

export interface TestCerts {
  dir: string;
  caPem: string;
  serverCert: string;
  serverKey: string;
  clientCert: string;
  clientKey: string;
  rogueCert: string;
  rogueKey: string;
  path: (name: string) => string;
}

let cached: TestCerts | undefined;

export function makeCerts(): TestCerts {
  if (cached) return cached;
  const dir = mkdtempSync(join(tmpdir(), "lokirelay-certs-"));
  process.once("exit", () => rmSync(dir, { recursive: true, force: true }));
  const ssl = (...args: string[]) => execFileSync("openssl", args, { cwd: dir, stdio: "pipe" });
  const ec = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes"];
  ssl(
    "req",
    "-x509",
    ...ec,
    "-keyout",
    "ca.key",
    "-out",
    "ca.pem",
    "-days",
    "2",
    "-subj",
    "/CN=test-ca",
  );
  writeFileSync(join(dir, "srv.ext"), "subjectAltName=IP:127.0.0.1,DNS:localhost\n");
  ssl("req", ...ec, "-keyout", "srv.key", "-out", "srv.csr", "-subj", "/CN=localhost");
  ssl(
    "x509",
    "-req",
    "-in",
    "srv.csr",
    "-CA",
    "ca.pem",
    "-CAkey",
    "ca.key",
    "-CAcreateserial",
    "-out",
    "srv.pem",
    "-days",
    "2",
    "-extfile",
    "srv.ext",
  );
  ssl("req", ...ec, "-keyout", "cli.key", "-out", "cli.csr", "-subj", "/CN=client");
  writeFileSync(join(dir, "cli.ext"), "basicConstraints=CA:FALSE\nextendedKeyUsage=clientAuth\n");
  ssl(
    "x509",
    "-req",
    "-in",
    "cli.csr",
    "-CA",
    "ca.pem",
    "-CAkey",
    "ca.key",
    "-CAcreateserial",
    "-out",
    "cli.pem",
    "-days",
    "2",
    "-extfile",
    "cli.ext",
  );
  ssl(
    "req",
    "-x509",
    ...ec,
    "-keyout",
    "rogue.key",
    "-out",
    "rogue.pem",
    "-days",
    "2",
    "-subj",
    "/CN=rogue",
    "-addext",
    "extendedKeyUsage=clientAuth",
  );
  const read = (f: string) => readFileSync(join(dir, f), "utf8");
  cached = {
    dir,
    caPem: read("ca.pem"),
    serverCert: read("srv.pem"),
    serverKey: read("srv.key"),
    clientCert: read("cli.pem"),
    clientKey: read("cli.key"),
    rogueCert: read("rogue.pem"),
    rogueKey: read("rogue.key"),
    path: (name) => join(dir, name),
  };
  return cached;
}
