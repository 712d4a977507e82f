// curl as an independent HTTP(S) client: exit code, status and body.
import { execFile } from "node:child_process";

export interface CurlResult {
  exitCode: number;
  status: number;
  body: string;
}

export function curl(args: string[]): Promise<CurlResult> {
  return new Promise((resolve) => {
    execFile(
      "curl",
      ["-s", "--max-time", "10", "-o", "-", "-w", "\n%{http_code}", ...args],
      (err, stdout) => {
        const cut = stdout.lastIndexOf("\n");
        resolve({
          exitCode: err ? (err as { code?: number }).code ?? 1 : 0,
          status: Number(stdout.slice(cut + 1)),
          body: stdout.slice(0, cut),
        });
      },
    );
  });
}
