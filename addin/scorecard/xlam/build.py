"""Build ``scorecard.xlam`` from text sources, on any platform, byte for byte the same each time.

The add-in is an Open XML package: a one-sheet workbook (the ``scorecard.conf`` settings sheet
xlwings' custom add-ins read) with the Office theme of xlwings' Excel-made
``quickstart_addin_ribbon.xlam`` (BSD licence), the ribbon (``customUI/customUI.xml``), and a VBA
project built by ``ovba`` on the one inside that add-in, the layout of every add-in xlwings ships:

- ``ThisWorkbook``, ``Sheet2`` and ``Dictionary`` (xlwings' dictionary class, which its module
  uses on macOS): the template's module streams and dir records byte for byte, as Excel wrote
  them, with its references and ``_VBA_PROJECT``;
- written as source only: ``xlwings``, xlwings' own custom add-in module from the installed
  package (RunPython, the UDF bridge, configuration) with its project name set;
  ``ScorecardRibbon``, the ribbon callbacks (``xlam/ScorecardRibbon.bas``); ``ScorecardFunctions``,
  helpers (``xlam/ScorecardFunctions.bas``) and worksheet-function wrappers generated from
  ``scorecard.udfs`` in the format xlwings writes them.

Usage: ``scorecard addin build --output OUTPUT.xlam`` (``make addin``).
"""

from __future__ import annotations

import inspect
import io
import re
import sys
import zipfile
from importlib import resources
from pathlib import Path

from .ovba import Module, Template, build_project, module_from_export

PROJECT_NAME = "scorecard"
PROJECT_ID = "{5C0E6A1D-2B47-4F0B-9D3E-7A51C2E8B6F4}"  # fixed: the build is reproducible
UDF_MODULE = "scorecard.udfs"
FIXED_TIME = (2024, 1, 1, 0, 0, 0)
TEMPLATE = "quickstart_addin_ribbon.xlam"  # in the xlwings package
KEEP = ["ThisWorkbook", "Dictionary", "Sheet2"]  # the template's modules we keep, in its order
SHEET_MODULE = "Sheet2"  # the code name of the settings sheet: the template's sheet module
# The add-in's own settings, read by xlwings' GetConfig from its sheet. The workbook's folder is not
# put on Python's path: a scorecard.py beside a workbook must not shadow the package.
CONF = [("UDF Modules", UDF_MODULE), ("ADD_WORKBOOK_TO_PYTHONPATH", "false")]

MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
PKG_REL = "http://schemas.openxmlformats.org/package/2006/relationships"


def source(name: str) -> str:
    return resources.files(__package__).joinpath(name).read_text("utf-8")


def xlwings_module() -> Module:
    """xlwings' custom add-in module from the installed package, named for this add-in."""
    import xlwings

    text = (Path(xlwings.__file__).parent / "xlwings_custom_addin.bas").read_text("utf-8")
    text, count = re.subn(r'(PROJECT_NAME As String = )"myaddin"', rf'\1"{PROJECT_NAME}"', text)
    if count != 1:
        raise RuntimeError("xlwings_custom_addin.bas has changed: PROJECT_NAME not found")
    return module_from_export("xlwings", text)


BUILT_FROM = ("build.py", "ovba.py", "cfb.py", "ScorecardRibbon.bas", "ScorecardFunctions.bas", "customUI.xml")


def build_id() -> str:
    """What the add-in is built from: scorecard's version and a hash of every source of the add-in (its
    VBA and ribbon, the builder, the worksheet functions' signatures, xlwings' module and template).

    The add-in carries it (``ADDIN_BUILD``); the self-test, run by the add-in in the Python it records,
    computes it again from the scorecard installed there: they differ when either was changed without
    the other (a scorecard upgraded without ``scorecard addin install``, or an add-in from elsewhere)."""
    import hashlib

    import xlwings

    from ..version import __version__

    digest = hashlib.sha256()
    for name in BUILT_FROM:
        digest.update(resources.files(__package__).joinpath(name).read_bytes())
    digest.update(udf_wrappers().encode("utf-8"))
    digest.update((Path(xlwings.__file__).parent / "xlwings_custom_addin.bas").read_bytes())
    digest.update(template_part("xl/vbaProject.bin"))
    digest.update(repr(CONF).encode("utf-8"))
    return f"{__version__}+{digest.hexdigest()[:12]}"


def ribbon_module() -> Module:
    text, count = re.subn(r'(ADDIN_BUILD As String = )"dev"', rf'\1"{build_id()}"', source("ScorecardRibbon.bas"))
    if count != 1:
        raise RuntimeError("ScorecardRibbon.bas has no ADDIN_BUILD constant")
    return module_from_export("ScorecardRibbon", text)


def template_part(name: str) -> bytes:
    """A part of xlwings' Excel-made ribbon add-in, which ours is built on."""
    import xlwings

    path = Path(xlwings.__file__).parent / TEMPLATE
    if not path.is_file():
        raise RuntimeError(f"the installed xlwings has no {TEMPLATE}, which the add-in is built on")
    with zipfile.ZipFile(path) as archive:
        return archive.read(name)


def template() -> Template:
    """The VBA project of xlwings' Excel-made ribbon add-in."""
    return Template.read(template_part("xl/vbaProject.bin"))


def udf_wrappers() -> str:
    """VBA wrappers for every function of scorecard.udfs, as xlwings' generator writes them."""
    from ..excel import functions

    out = []
    for name in functions.__all__:
        function = getattr(functions, name)
        hidden = function.__scorecard_vba__
        parameters = list(inspect.signature(function).parameters.values())
        visible = [p for p in parameters if p.name not in hidden]
        signature = ", ".join(
            ("Optional " if p.default is not inspect.Parameter.empty else "") + p.name for p in visible
        )
        arguments = ", ".join(hidden.get(p.name, p.name) for p in parameters)
        call = f'XLPy.CallUDF("{UDF_MODULE}", "{name}", Array({arguments})'
        out += [
            f"Function {name}({signature})",
            '        #If App = "Microsoft Excel" Then',
            "            If TypeOf Application.Caller Is Range Then On Error GoTo failed",
            f"            {name} = {call}, ActiveWorkbook, Application.Caller)",
            "            Exit Function",
            "        #Else",
            f"            {name} = {call})",
            "            Exit Function",
            "        #End If",
            "failed:",
            f"        {name} = Err.Description",
            "End Function",
            "",
        ]
    return "\n".join(out)


def modules() -> list[Module]:
    """Our modules, written as source only."""
    return [
        xlwings_module(),
        ribbon_module(),
        module_from_export("ScorecardFunctions", source("ScorecardFunctions.bas") + "\n" + udf_wrappers()),
    ]


def parts() -> dict[str, bytes]:
    """Every part of the add-in package, in the order they are written."""
    from xml.sax.saxutils import escape

    decl = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    conf = CONF
    strings = [text for pair in conf for text in pair]
    rows = "".join(
        f'<row r="{i}"><c r="A{i}" t="s"><v>{2 * (i - 1)}</v></c><c r="B{i}" t="s"><v>{2 * i - 1}</v></c></row>'
        for i in range(1, len(conf) + 1)
    )
    shared = "".join(f"<si><t>{escape(text)}</t></si>" for text in strings)
    return {
        "[Content_Types].xml": (
            decl + '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
            '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
            '<Default Extension="xml" ContentType="application/xml"/>'
            '<Default Extension="bin" ContentType="application/vnd.ms-office.vbaProject"/>'
            '<Override PartName="/xl/workbook.xml" ContentType="application/vnd.ms-excel.addin.macroEnabled.main+xml"/>'
            '<Override PartName="/xl/worksheets/sheet1.xml" '
            'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
            '<Override PartName="/xl/styles.xml" '
            'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/>'
            '<Override PartName="/xl/sharedStrings.xml" '
            'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/>'
            '<Override PartName="/xl/theme/theme1.xml" '
            'ContentType="application/vnd.openxmlformats-officedocument.theme+xml"/>'
            '<Override PartName="/docProps/core.xml" '
            'ContentType="application/vnd.openxmlformats-package.core-properties+xml"/>'
            '<Override PartName="/docProps/app.xml" '
            'ContentType="application/vnd.openxmlformats-officedocument.extended-properties+xml"/>'
            "</Types>"
        ).encode(),
        "_rels/.rels": (
            decl + f'<Relationships xmlns="{PKG_REL}">'
            '<Relationship Id="rId1" '
            'Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" '
            'Target="xl/workbook.xml"/>'
            '<Relationship Id="rId2" '
            'Type="http://schemas.openxmlformats.org/package/2006/relationships/metadata/core-properties" '
            'Target="docProps/core.xml"/>'
            '<Relationship Id="rId3" '
            'Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/extended-properties" '
            'Target="docProps/app.xml"/>'
            '<Relationship Id="rId4" '
            'Type="http://schemas.microsoft.com/office/2006/relationships/ui/extensibility" '
            'Target="customUI/customUI.xml"/>'
            "</Relationships>"
        ).encode(),
        "docProps/core.xml": (
            decl
            + '<cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/core-properties" '
            'xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:dcterms="http://purl.org/dc/terms/" '
            'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"><dc:title>Scorecard</dc:title>'
            "<dc:description>RAG ratings, direction of travel and a narrative for KPI scorecards, from YAML "
            "rules.</dc:description>"
            '<dcterms:created xsi:type="dcterms:W3CDTF">2024-01-01T00:00:00Z</dcterms:created>'
            "</cp:coreProperties>"
        ).encode(),
        "docProps/app.xml": (
            decl + '<Properties xmlns="http://schemas.openxmlformats.org/officeDocument/2006/extended-properties">'
            "<Application>Microsoft Excel</Application></Properties>"
        ).encode(),
        "xl/workbook.xml": (
            decl + f'<workbook xmlns="{MAIN}" xmlns:r="{REL}"><workbookPr codeName="ThisWorkbook"/>'
            "<bookViews><workbookView/></bookViews>"
            f'<sheets><sheet name="{PROJECT_NAME}.conf" sheetId="1" r:id="rId1"/></sheets></workbook>'
        ).encode(),
        "xl/_rels/workbook.xml.rels": (
            decl + f'<Relationships xmlns="{PKG_REL}">'
            '<Relationship Id="rId1" '
            'Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" '
            'Target="worksheets/sheet1.xml"/>'
            '<Relationship Id="rId2" '
            'Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles" '
            'Target="styles.xml"/>'
            '<Relationship Id="rId3" Type="http://schemas.microsoft.com/office/2006/relationships/vbaProject" '
            'Target="vbaProject.bin"/>'
            '<Relationship Id="rId4" '
            'Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings" '
            'Target="sharedStrings.xml"/>'
            '<Relationship Id="rId5" '
            'Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/theme" '
            'Target="theme/theme1.xml"/>'
            "</Relationships>"
        ).encode(),
        "xl/worksheets/sheet1.xml": (
            decl + f'<worksheet xmlns="{MAIN}" xmlns:r="{REL}"><sheetPr codeName="{SHEET_MODULE}"/>'
            f'<dimension ref="A1:B{len(conf)}"/><cols><col min="1" max="1" width="20" customWidth="1"/>'
            f'<col min="2" max="2" width="40" customWidth="1"/></cols><sheetData>{rows}</sheetData></worksheet>'
        ).encode(),
        "xl/styles.xml": (
            decl + f'<styleSheet xmlns="{MAIN}">'
            '<fonts count="1"><font><sz val="11"/><name val="Calibri"/><family val="2"/></font></fonts>'
            '<fills count="2"><fill><patternFill patternType="none"/></fill><fill><patternFill '
            'patternType="gray125"/></fill></fills>'
            '<borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>'
            '<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>'
            '<cellXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/></cellXfs>'
            '<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles>'
            "</styleSheet>"
        ).encode(),
        "xl/sharedStrings.xml": (
            decl + f'<sst xmlns="{MAIN}" count="{len(strings)}" uniqueCount="{len(strings)}">{shared}</sst>'
        ).encode(),
        "xl/theme/theme1.xml": template_part("xl/theme/theme1.xml"),  # the Office theme, as Excel wrote it
        "xl/vbaProject.bin": build_project(PROJECT_NAME, PROJECT_ID, template(), KEEP, modules()),
        "customUI/customUI.xml": source("customUI.xml").encode("utf-8"),
    }


def build(output: str | Path) -> Path:
    """Write the add-in to ``output`` (replacing it atomically)."""
    import os
    import tempfile

    output = Path(output)
    output.parent.mkdir(parents=True, exist_ok=True)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in parts().items():
            info = zipfile.ZipInfo(name, date_time=FIXED_TIME)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            archive.writestr(info, data)
    handle = tempfile.NamedTemporaryFile(dir=output.parent, prefix=f".~{output.name}.", delete=False)
    with handle:
        handle.write(buffer.getvalue())
    os.chmod(handle.name, 0o644)
    os.replace(handle.name, output)
    return output


if __name__ == "__main__":
    print(build(sys.argv[1] if len(sys.argv) > 1 else "build/scorecard.xlam"))
