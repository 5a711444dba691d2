"""Intake memory and CPU for compressed bombs: ``python -m bench.bombs``.

Builds each bomb in memory, then unpacks it with ``reports.payloads.parse_file`` under the
shipped limits (10 MiB compressed, 50 MiB decompressed per delivery, 10 s CPU) and prints the
tracemalloc peak and the CPU time of the unpacking alone. Pure: no database, no Django.
"""

from __future__ import annotations

import gzip
import io
import time
import tracemalloc
import zipfile

from reports.payloads import Limits, parse_file

MIB = 1024 * 1024
LIMITS = Limits(max_compressed=10 * MIB, max_decompressed=50 * MIB, max_cpu_seconds=10.0)


def zipped(members: dict[str, bytes], method: int = zipfile.ZIP_DEFLATED) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=method) as archive:
        for name, content in members.items():
            archive.writestr(name, content)
    return buffer.getvalue()


def bombs() -> dict[str, bytes]:
    inner = zipped({"report.json": bytes(40 * MIB)})
    gz40 = gzip.compress(bytes(40 * MIB), 9, mtime=0)
    return {
        "zip, one bzip2 member of 1 GiB": zipped({"r.json": bytes(1024 * MIB)}, zipfile.ZIP_BZIP2),
        "zip, one LZMA member of 256 MiB": zipped({"r.json": bytes(256 * MIB)}, zipfile.ZIP_LZMA),
        "zip of 20 zips, each one 40 MiB member": zipped({f"i{i}.zip": inner for i in range(20)}),
        "zip of 20 .json.gz of 40 MiB": zipped(
            {f"r{i}.json.gz": gz40 for i in range(20)}, zipfile.ZIP_STORED
        ),
        "gzip of 1 GiB": gzip.compress(bytes(1024 * MIB), 9, mtime=0),
    }


def main() -> None:
    print("| bomb | size | peak (tracemalloc) | CPU | answer |")
    print("|---|---|---|---|---|")
    for name, bomb in bombs().items():
        tracemalloc.start()
        started = time.thread_time()
        parts = parse_file(bomb, source="bomb", limits=LIMITS)
        cpu = time.thread_time() - started
        peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
        error = str(parts[-1].error).split(": ", 1)[-1][:70]
        print(
            f"| {name} | {len(bomb):,} B | {peak / MIB:.1f} MiB | {cpu * 1000:.0f} ms | {error} |"
        )


if __name__ == "__main__":
    main()
