#!/usr/bin/env python3
"""Names the functions of a stripped Go binary in `perf report` output, from the binary's own `.gopclntab`.

Debian's skopeo is stripped, so `perf report` shows its samples as bare addresses. Go keeps a table of every
function's entry point and name for its own stack traces; this reads it and replaces each address on standard input
with the function it falls in. Addresses below the text segment are taken as file offsets (perf prints unresolved
samples that way) and the ones in it as virtual addresses (call chains). Go 1.18 to 1.22 table layouts.

    perf record -g -o skopeo.data skopeo copy ...
    perf report -i skopeo.data --no-children --sort symbol | bench/go-symbols.py /usr/bin/skopeo
"""
import bisect
import re
import signal
import struct
import sys


def sections(elf: bytes) -> dict[str, tuple[int, int, int]]:
    """name -> (virtual address, file offset, size) of each section of a 64-bit little-endian ELF file."""
    if elf[:4] != b"\x7fELF" or elf[4] != 2 or elf[5] != 1:
        raise SystemExit("not a 64-bit little-endian ELF file")
    shoff, = struct.unpack_from("<Q", elf, 0x28)
    shentsize, shnum, shstrndx = struct.unpack_from("<HHH", elf, 0x3A)
    headers = [struct.unpack_from("<IIQQQQ", elf, shoff + i * shentsize) for i in range(shnum)]
    names_at = headers[shstrndx][4]
    out = {}
    for name, _, _, addr, offset, size in headers:
        start = names_at + name
        out[elf[start:elf.index(b"\0", start)].decode()] = (addr, offset, size)
    return out


def functions(elf: bytes, table: int) -> tuple[list[int], list[str]]:
    """Entry points (sorted) and names of the functions in the `.gopclntab` at file offset `table`."""
    magic, = struct.unpack_from("<I", elf, table)
    if magic not in (0xFFFFFFF0, 0xFFFFFFF1):
        raise SystemExit(f"unknown .gopclntab magic {magic:#x} (Go 1.18 to 1.22 are known)")
    count, _, text, names, _, _, _, functab = struct.unpack_from("<8Q", elf, table + 8)
    entries, labels = [], []
    for i in range(count):
        entry, info = struct.unpack_from("<II", elf, table + functab + 8 * i)
        name, = struct.unpack_from("<i", elf, table + functab + info + 4)
        start = table + names + name
        entries.append(text + entry)
        labels.append(elf[start:elf.index(b"\0", start)].decode(errors="replace"))
    return entries, labels


def main() -> None:
    signal.signal(signal.SIGPIPE, signal.SIG_DFL)  # quiet under `| head`
    if len(sys.argv) != 2:
        raise SystemExit(__doc__)
    elf = open(sys.argv[1], "rb").read()
    found = sections(elf)
    if ".gopclntab" not in found or ".text" not in found:
        raise SystemExit("no .gopclntab or .text section: not a Go binary")
    entries, labels = functions(elf, found[".gopclntab"][1])
    text_addr, text_offset, _ = found[".text"]

    def name(match: re.Match) -> str:
        address = int(match.group(0), 16)
        if address < text_addr:
            address += text_addr - text_offset
        i = bisect.bisect_right(entries, address) - 1
        return labels[i] if i >= 0 else match.group(0)

    for line in sys.stdin:
        sys.stdout.write(re.sub(r"0x[0-9a-f]{5,16}\b", name, line))


if __name__ == "__main__":
    main()
