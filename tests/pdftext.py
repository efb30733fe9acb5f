"""Text of the pages of a PDF printed by Chromium (Skia), read through the fonts' ToUnicode maps.

Just enough PDF for the browser test to check that a page really renders its text (no poppler needed).
"""

from __future__ import annotations

import re
import zlib



def _objects(data):
    return {int(m[1]): m[2] for m in re.finditer(rb"(?<![0-9])(\d+) 0 obj\s*(.*?)endobj", data, re.S)}


def _stream(obj):
    m = re.search(rb"stream\r?\n(.*?)endstream", obj, re.S)
    return zlib.decompress(m[1]) if b"/FlateDecode" in obj[: m.start()] else m[1]


def _cmap(text):
    table = {}
    for block in re.findall(rb"beginbfchar(.*?)endbfchar", text, re.S):
        for src, dst in re.findall(rb"<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]+)>", block):
            table[int(src, 16)] = bytes.fromhex(dst.decode()).decode("utf-16-be")
    for block in re.findall(rb"beginbfrange(.*?)endbfrange", text, re.S):
        for a, b, dst in re.findall(rb"<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]+)>", block):
            start = int.from_bytes(bytes.fromhex(dst.decode()), "big")
            for k, code in enumerate(range(int(a, 16), int(b, 16) + 1)):
                table[code] = chr(start + k)
    return table


def page_texts(path):
    """Text of each page of a Chromium (Skia) PDF, through the fonts' ToUnicode maps."""
    data = open(path, "rb").read()
    objs = _objects(data)

    def ref(d, key):
        m = re.search(rb"/" + key + rb"\s+(\d+) 0 R", d)
        return int(m[1]) if m else None
    out = []
    for num, obj in sorted(objs.items()):
        if not re.search(rb"/Type\s*/Page(?![A-Za-z])", obj):
            continue
        res = obj
        r = ref(obj, b"Resources")
        if r is not None:
            res = objs[r]
        fonts = {}
        fm = re.search(rb"/Font\s*<<(.*?)>>", res, re.S)
        if fm:
            for name, fnum in re.findall(rb"/(\w+)\s+(\d+) 0 R", fm[1]):
                tu = ref(objs[int(fnum)], b"ToUnicode")
                fonts[name] = _cmap(_stream(objs[tu])) if tu else {}
        contents = re.search(rb"/Contents\s+(?:\[(.*?)\]|(\d+) 0 R)", obj, re.S)
        nums = [int(n) for n in re.findall(rb"(\d+) 0 R", contents[1])] if contents[1] else [int(contents[2])]
        text, font = [], {}
        for n in nums:
            content = _stream(objs[n])
            for m in re.finditer(rb"/(\w+)\s+[\d.]+\s+Tf|<([0-9A-Fa-f]*)>\s*Tj|\[(.*?)\]\s*TJ|(ET)", content, re.S):
                if m[1]:
                    font = fonts.get(m[1], {})
                elif m[4]:
                    text.append("\n")
                else:
                    hexes = [m[2]] if m[2] is not None else re.findall(rb"<([0-9A-Fa-f]*)>", m[3])
                    for h in hexes:
                        raw = bytes.fromhex(h.decode())
                        text.extend(font.get(int.from_bytes(raw[i:i + 2], "big"), "?") for i in range(0, len(raw), 2))
        out.append("".join(text))
    return out
