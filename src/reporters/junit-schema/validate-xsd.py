#!/usr/bin/env python3
"""Validates an XML file against an XSD with libxml2 (Debian's libxml2, through ctypes; no pip
package needed). Used by src/reporters/junit.test.ts.

usage: validate-xsd.py SCHEMA.xsd FILE.xml
exit 0: valid; 1: not well-formed or invalid (libxml2's messages on stderr); 3: libxml2 missing.
"""
import ctypes
import ctypes.util
import sys

XML_PARSE_NONET = 1 << 11


def main() -> int:
    schema_path, xml_path = sys.argv[1].encode(), sys.argv[2].encode()
    name = ctypes.util.find_library("xml2")
    if not name:
        print("libxml2 not found", file=sys.stderr)
        return 3
    lib = ctypes.CDLL(name)
    for fn in ("xmlSchemaNewParserCtxt", "xmlSchemaParse", "xmlSchemaNewValidCtxt", "xmlReadFile"):
        getattr(lib, fn).restype = ctypes.c_void_p
    lib.xmlSchemaParse.argtypes = [ctypes.c_void_p]
    lib.xmlSchemaNewValidCtxt.argtypes = [ctypes.c_void_p]
    lib.xmlSchemaValidateDoc.argtypes = [ctypes.c_void_p, ctypes.c_void_p]
    lib.xmlReadFile.argtypes = [ctypes.c_char_p, ctypes.c_char_p, ctypes.c_int]
    lib.xmlSchemaNewParserCtxt.argtypes = [ctypes.c_char_p]

    parser = lib.xmlSchemaNewParserCtxt(schema_path)
    schema = lib.xmlSchemaParse(parser) if parser else None
    if not schema:
        print("cannot parse the schema", file=sys.stderr)
        return 1
    doc = lib.xmlReadFile(xml_path, None, XML_PARSE_NONET)
    if not doc:
        print("not well-formed XML", file=sys.stderr)
        return 1
    valid = lib.xmlSchemaNewValidCtxt(schema)
    result = lib.xmlSchemaValidateDoc(valid, doc)
    if result != 0:
        print(f"invalid against the schema ({result})", file=sys.stderr)
        return 1
    print("valid")
    return 0


if __name__ == "__main__":
    sys.exit(main())
