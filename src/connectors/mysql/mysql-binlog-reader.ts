import ZongJi from "@vlasky/zongji";
import type { ConnectionOptions } from "mysql2";
import { ECHO } from "./mysql-capture-schema.js";
import { BinlogScan, type ScanRequest } from "./mysql-binlog-scan.js";

/** What one read of the binary log needs. */
export interface BinlogReadRequest extends ScanRequest {
  readonly connection: ConnectionOptions;
  readonly database: string;
  readonly serverId: number;
  /** How long the stream may stay silent before the end is reached. */
  readonly idleTimeoutMs: number;
}

/**
 * Streams the binary log from `from` to `end` as a replica would (zongji), feeding the events of
 * the database's resource tables (and `_concord_echo`) to a BinlogScan, then stops the stream.
 * Events of other databases and tables are filtered before they are decoded.
 */
export function readBinlog(request: BinlogReadRequest): Promise<BinlogScan> {
  const scan = new BinlogScan(request);
  const zongji = new ZongJi(request.connection);
  return new Promise<BinlogScan>((resolve, reject) => {
    let failure: Error | undefined;
    let idle: NodeJS.Timeout | undefined;
    const finish = (err?: Error) => {
      if (idle) clearTimeout(idle);
      idle = undefined;
      failure ??= err;
      if (zongji.stopped) return;
      zongji.stop();
    };
    const watch = () => {
      if (idle) clearTimeout(idle);
      idle = setTimeout(
        () => finish(new Error(`the binary log stream stayed silent for ${request.idleTimeoutMs} ms before its end`)),
        request.idleTimeoutMs,
      );
    };
    zongji.on("error", (err: Error) => finish(err));
    zongji.on("stopped", () => (failure ? reject(failure) : resolve(scan)));
    zongji.on("binlog", (event) => {
      if (scan.done) return;
      try {
        scan.accept(event);
      } catch (err) {
        finish(err instanceof Error ? err : new Error(String(err)));
        return;
      }
      if (scan.done) finish();
      else watch();
    });
    watch();
    zongji.start({
      serverId: request.serverId,
      filename: request.from.file,
      position: request.from.pos,
      includeSchema: { [request.database]: [...request.keys.keys(), ECHO] },
    });
  });
}
