"""The add-in file, checked by readers that are not ours: xmlschema, oletools (olevba) and olefile.

Nothing here runs Excel. What these tests establish: the package is well formed, the ribbon XML
is valid against Microsoft's customUI schema, every VBA module decodes to the source it was built
from, every button calls a procedure that exists, and every Python entry point the VBA names
exists and is exercised by the remote-engine tests.
"""

from __future__ import annotations

import importlib
import inspect
import re
import sys
import zipfile
from pathlib import Path

import olefile
import pytest
import xmlschema
from lxml import etree
from oletools.olevba import VBA_Parser

from clirun import run_cli
from conftest import ROOT
from scorecard import udfs
from scorecard.xlam import build as xlam
from scorecard.xlam import ovba
from scorecard.xlam.cfb import Storage, Stream, write_compound_file

SCHEMA = (
    Path(__file__).parent / "schemas" / "customUI-2006.xsd"
)  # Microsoft's, as shipped with the Office RibbonX Editor


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> Path:
    return xlam.build(tmp_path_factory.mktemp("addin") / "scorecard.xlam")


@pytest.fixture(scope="module")
def decoded(built) -> dict[str, str]:
    parser = VBA_Parser(str(built))
    modules = {Path(name).stem: code for _, _, name, code in parser.extract_macros()}
    parser.close()
    return modules


@pytest.mark.slow
def test_the_build_is_reproducible(built, tmp_path):
    again = xlam.build(tmp_path / "again.xlam")
    assert again.read_bytes() == built.read_bytes()


def test_package_declares_an_addin_with_a_ribbon_and_a_vba_project(built):
    with zipfile.ZipFile(built) as archive:
        assert archive.testzip() is None
        types = archive.read("[Content_Types].xml").decode()
        rels = archive.read("_rels/.rels").decode()
        workbook_rels = archive.read("xl/_rels/workbook.xml.rels").decode()
    assert "application/vnd.ms-excel.addin.macroEnabled.main+xml" in types
    assert 'relationships/ui/extensibility" Target="customUI/customUI.xml"' in rels
    assert 'relationships/vbaProject" Target="vbaProject.bin"' in workbook_rels


@pytest.mark.slow
def test_ribbon_xml_is_valid_against_the_customui_schema(built):
    with zipfile.ZipFile(built) as archive:
        ribbon = archive.read("customUI/customUI.xml")
    errors = list(xmlschema.XMLSchema(str(SCHEMA)).iter_errors(etree.fromstring(ribbon)))
    assert not errors, "\n".join(str(error.reason) for error in errors)


def test_every_module_decodes_with_olevba(decoded):
    assert set(decoded) == {"ThisWorkbook", "Sheet2", "xlwings", "Dictionary", "ScorecardRibbon", "ScorecardFunctions"}
    ribbon = (
        xlam.source("ScorecardRibbon.bas")
        .replace("\r\n", "\n")
        .replace('ADDIN_BUILD As String = "dev"', f'ADDIN_BUILD As String = "{xlam.build_id()}"')
    )
    assert decoded["ScorecardRibbon"].replace("\r\n", "\n").split("\n", 1)[1].strip() == ribbon.strip()


def test_the_xlwings_module_is_the_installed_packages_own(decoded):
    import xlwings

    original = (Path(xlwings.__file__).parent / "xlwings_custom_addin.bas").read_text().replace("\r\n", "\n")
    body = [line for line in original.split("\n") if not line.startswith("Attribute VB_")]
    got = decoded["xlwings"].replace("\r\n", "\n").split("\n")[1:]
    expected = (
        "\n".join(body).strip().replace('PROJECT_NAME As String = "myaddin"', 'PROJECT_NAME As String = "scorecard"')
    )
    assert "\n".join(got).strip() == expected
    assert f"Version: {xlwings.__version__}" in decoded["xlwings"]


def _procedures(code: str) -> set[str]:
    return set(re.findall(r"^(?:Public |Private )?(?:Sub|Function) (\w+)", code, flags=re.M))


def test_every_ribbon_button_calls_a_procedure_that_exists(built, decoded):
    with zipfile.ZipFile(built) as archive:
        ribbon = etree.fromstring(archive.read("customUI/customUI.xml"))
    actions = [e.get("onAction") for e in ribbon.iter() if e.get("onAction")]
    assert len(actions) == 8
    for action in actions:
        module, procedure = action.split(".")
        assert procedure in _procedures(decoded[module]), action
        assert re.search(rf"Sub {procedure}\(control As IRibbonControl\)", decoded[module])


def test_every_python_entry_point_named_in_vba_exists_and_is_tested(decoded):
    calls = re.findall(r'RunPython "import ([\w.]+); \1\.(\w+)\(\)"', decoded["ScorecardRibbon"])
    assert len(calls) == 7
    tested = (Path(__file__).parent / "test_excel.py").read_text()
    for module_name, function in calls:
        function_object = getattr(importlib.import_module(module_name), function)
        assert callable(function_object)
        assert inspect.signature(function_object).parameters["book"].default is None
        if function not in ("open_rules", "help"):
            assert f"excel.{function}" in tested, f"{function} has no remote-engine test"


def test_open_rules_and_help_run_on_the_remote_engine(sample):
    from remote import run_macro
    from scorecard.excel import ribbon as excel

    message, actions = run_macro(sample, excel.help)
    assert "Refresh rates every KPI" in message and actions[0]["func"] == "alert"
    message, _ = run_macro(sample, excel.open_rules, rules=str(ROOT / "rules" / "cic-scorecard.yaml"))
    assert message is None or "cic-scorecard.yaml" in message


def test_every_worksheet_function_has_a_wrapper_matching_its_signature(decoded):
    code = decoded["ScorecardFunctions"]
    for name in udfs.__all__:
        function = getattr(udfs, name)
        hidden = function.__scorecard_vba__
        parameters = [p for p in inspect.signature(function).parameters.values()]
        match = re.search(rf"^Function {name}\(([^)]*)\)", code, flags=re.M)
        assert match, name
        visible = [a.replace("Optional ", "") for a in match.group(1).split(", ") if a]
        assert visible == [p.name for p in parameters if p.name not in hidden]
        assert (
            f'XLPy.CallUDF("scorecard.udfs", "{name}", '
            f"Array({', '.join(hidden.get(p.name, p.name) for p in parameters)})" in code
        )
    assert _procedures(code) == set(udfs.__all__)  # no helper: the wrappers call only xlwings


def test_project_stream_protection_fields_decrypt_as_excel_writes_them(built):
    with zipfile.ZipFile(built) as archive:
        data = archive.read("xl/vbaProject.bin")
    ole = olefile.OleFileIO(data)
    project = ole.openstream("PROJECT").read().decode("cp1252")
    fields = dict(re.findall(r'^(CMG|DPB|GC)="([0-9A-F]+)"', project, flags=re.M))
    key = sum(xlam.PROJECT_ID.encode()) & 0xFF
    assert ovba.decrypt(fields["CMG"]) == (2, key, bytes(4))  # not protected
    assert ovba.decrypt(fields["DPB"]) == (2, key, b"\x00")  # no password
    assert ovba.decrypt(fields["GC"]) == (2, key, b"\xff")  # visible
    assert ole.openstream("VBA/_VBA_PROJECT").read() == bytes.fromhex("CC61FFFF000100")  # as Excel's, Reserved3 1
    template = olefile.OleFileIO(_template_bin()).openstream("PROJECT").read().decode("cp1252")
    template_key = sum(re.search(r'^ID="(.*?)"', template, flags=re.M).group(1).encode()) & 0xFF
    for name, plain in (("CMG", bytes(4)), ("DPB", b"\x00"), ("GC", b"\xff")):  # Excel's say the same
        assert ovba.decrypt(re.search(rf'^{name}="([0-9A-F]+)"', template, flags=re.M).group(1)) == (
            2,
            template_key,
            plain,
        )


def test_compression_round_trips_through_oletools():
    from hypothesis import given, settings
    from hypothesis import strategies as st
    from oletools.olevba import decompress_stream

    @settings(max_examples=60, deadline=None)
    @given(
        st.binary(max_size=12000) | st.text(alphabet="Sub End If Then Dim x = 1\r\n", max_size=20000).map(str.encode)
    )
    def round_trip(data):
        out = bytes(decompress_stream(bytearray(ovba.compress(data))))
        assert out[: len(data)] == data and not out[len(data) :].strip(b"\x00")

    round_trip()


def test_compound_file_directory_is_read_back_by_olefile():
    streams = [Stream(f"S{i:02d}", bytes([i]) * (i * 300)) for i in range(1, 20)]  # mini and regular streams
    data = write_compound_file(Storage("Root Entry", [Storage("VBA", streams[:10]), *streams[10:]]))
    ole = olefile.OleFileIO(data)
    for i, stream in enumerate(streams, start=1):
        path = f"VBA/{stream.name}" if i <= 10 else stream.name
        assert ole.openstream(path).read() == stream.data


@pytest.mark.slow
def test_install_and_uninstall(tmp_path):
    startup, config = tmp_path / "XLSTART", tmp_path / "conf" / "scorecard.conf"
    config.parent.mkdir()
    config.write_text('"LICENSE_KEY","keep-me"\n')

    def run(*a):
        return run_cli("addin", *a, "--dir", startup, "--config", config)

    result = run("install")
    assert result.returncode == 0, result.stderr
    assert (startup / "scorecard.xlam").read_bytes() == xlam.build(tmp_path / "ref.xlam").read_bytes()
    lines = config.read_text().splitlines()
    assert lines[0] == '"LICENSE_KEY","keep-me"' and lines[1] == f'"INTERPRETER_WIN","{sys.executable}"'
    assert run("install").returncode == 0 and len(config.read_text().splitlines()) == 2  # idempotent
    result = run("uninstall")
    assert result.returncode == 0 and not (startup / "scorecard.xlam").exists()
    assert config.read_text() == '"LICENSE_KEY","keep-me"\n'


def test_make_addin_target_exists():
    assert "addin:" in (ROOT / "Makefile").read_text()


BUILT_IN_CONSTANTS = {"VBA6", "VBA7", "Win16", "Win32", "Win64", "Mac", "MAC_OFFICE_VERSION"}


def test_every_conditional_compilation_constant_is_defined_in_its_module(decoded):
    """#Const is private to its module: a module testing `#If App = ...` must define App itself."""
    for module, code in decoded.items():
        tested = set(re.findall(r"^\s*#(?:Else)?If\s+(.*?)\s+Then", code, flags=re.M | re.I))
        conditions = [re.sub(r'"[^"]*"', "", condition) for condition in tested]  # not words inside strings
        names = {n for condition in conditions for n in re.findall(r"\b([A-Za-z_]\w*)\b", condition)}
        names -= {"Not", "And", "Or", "Then"} | BUILT_IN_CONSTANTS
        defined = set(re.findall(r"^\s*#Const\s+(\w+)", code, flags=re.M))
        assert names <= defined, f"{module}: {sorted(names - defined)} used in #If but not defined by #Const"


def test_the_xlwings_procedures_our_modules_call_exist_and_are_public(decoded):
    xlwings_code = decoded["xlwings"]
    for name in ("RunPython", "XLPy"):
        declaration = re.search(rf"^(Public |Private )?(?:Function|Sub) {name}\(", xlwings_code, flags=re.M)
        assert declaration and declaration.group(1) != "Private ", name
    assert 'RunPython "' in decoded["ScorecardRibbon"] and "XLPy.CallUDF(" in decoded["ScorecardFunctions"]


@pytest.mark.parametrize(
    "platform, startup, config",
    [
        ("win32", "AppData/Roaming/Microsoft/Excel/XLSTART", "home/.scorecard/scorecard.conf"),
        (
            "darwin",
            "home/Library/Group Containers/UBF8T346G9.Office/User Content/Startup/Excel",
            "home/Library/Containers/com.microsoft.Excel/Data/scorecard.conf",
        ),
    ],
)
def test_default_install_locations_follow_excel_and_xlwings(platform, startup, config, tmp_path, monkeypatch):
    from scorecard.xlam import install

    monkeypatch.setattr(install.sys, "platform", platform)
    monkeypatch.setattr(install.Path, "home", classmethod(lambda cls: tmp_path / "home"))
    monkeypatch.setenv("APPDATA", str(tmp_path / "AppData" / "Roaming"))
    monkeypatch.setenv("USERPROFILE", str(tmp_path / "home"))
    assert install.default_startup_folder() == tmp_path / startup
    assert install.default_config_file() == tmp_path / config
    assert install.interpreter_key() == ("INTERPRETER_MAC" if platform == "darwin" else "INTERPRETER_WIN")


def test_install_without_excel_asks_for_the_folder(monkeypatch):
    from scorecard.errors import ScorecardError
    from scorecard.xlam import install

    monkeypatch.setattr(install.sys, "platform", "linux")
    with pytest.raises(ScorecardError, match="give the XLSTART folder with --dir"):
        install.default_startup_folder()


# --- the project against the Excel-made one it is built on ------------------------------------------


def _template_bin() -> bytes:
    import xlwings

    with zipfile.ZipFile(Path(xlwings.__file__).parent / "quickstart_addin_ribbon.xlam") as archive:
        return archive.read("xl/vbaProject.bin")


def _built_bin(built: Path) -> bytes:
    with zipfile.ZipFile(built) as archive:
        return archive.read("xl/vbaProject.bin")


def _dir_modules(ole: olefile.OleFileIO) -> tuple[bytes, dict[str, dict[int, bytes]], list[tuple[int, bytes]]]:
    """(references, {module: {record id: record data}}, information records), read with oletools'
    decompressor and a record walk written from the spec, independent of ovba.dir_records."""
    import struct

    from oletools.olevba import decompress_stream

    data = bytes(decompress_stream(bytearray(ole.openstream("VBA/dir").read())))
    records, position = [], 0
    while position < len(data):
        record_id, size = struct.unpack_from("<HI", data, position)
        size = 6 if record_id == 9 else size
        records.append((record_id, data[position + 6 : position + 6 + size], data[position : position + 6 + size]))
        position += 6 + size
    ids = [r for r, _, _ in records]
    first_module = ids.index(0x0019)
    references = b"".join(raw for r, _, raw in records[ids.index(0x0016) : ids.index(0x000F)])
    modules, current = {}, None
    for record_id, body, _ in records[first_module:]:
        if record_id == 0x0019:
            current = modules.setdefault(body.decode("cp1252"), {})
        elif current is not None:
            current[record_id] = body
    return references, modules, [(r, b) for r, b, _ in records[: ids.index(0x0016)]]


def test_excel_made_modules_are_copied_byte_for_byte_with_offsets_and_cookies(built):
    template, ours = olefile.OleFileIO(_template_bin()), olefile.OleFileIO(_built_bin(built))
    template_refs, template_modules, template_info = _dir_modules(template)
    our_refs, our_modules, our_info = _dir_modules(ours)
    for name in ("ThisWorkbook", "Sheet2", "Dictionary"):
        assert ours.openstream(f"VBA/{name}").read() == template.openstream(f"VBA/{name}").read(), name
        assert our_modules[name] == template_modules[name], name  # offset (0x31), cookie (0x2C), type, doc string
        assert template_modules[name][0x0031] != bytes(4)  # they do carry Excel's compiled part
    assert our_refs == template_refs
    assert ours.openstream("VBA/_VBA_PROJECT").read() == template.openstream("VBA/_VBA_PROJECT").read()
    assert [r for r, _ in our_info] == [r for r, _ in template_info]
    assert [b for r, b in our_info if r != 0x0004] == [b for r, b in template_info if r != 0x0004]
    assert dict(our_info)[0x0004] == b"scorecard"
    assert "RibbonMyAddin" not in our_modules and not ours.exists("VBA/RibbonMyAddin")
    assert not [e for e in ours.listdir() if e[-1].startswith("__SRP_")]


def test_our_procedural_modules_are_source_only(built, decoded):
    ours = olefile.OleFileIO(_built_bin(built))
    _, modules, _ = _dir_modules(ours)
    assert list(modules) == ["ThisWorkbook", "Dictionary", "Sheet2", "xlwings", "ScorecardRibbon", "ScorecardFunctions"]
    for name in ("xlwings", "ScorecardRibbon", "ScorecardFunctions"):
        assert modules[name][0x0031] == bytes(4) and modules[name][0x002C] == b"\xff\xff", name
        assert 0x0021 in modules[name] and 0x0022 not in modules[name], name  # procedural
        assert decoded[name].startswith(f'Attribute VB_Name = "{name}"\r\n')
    project = ours.openstream("PROJECT").read().decode("cp1252")
    listed = re.findall(r"^(Document|Class|Module)=(\w+)", project, flags=re.M)
    assert listed == [
        ("Document", "ThisWorkbook"),
        ("Class", "Dictionary"),
        ("Document", "Sheet2"),
        ("Module", "xlwings"),
        ("Module", "ScorecardRibbon"),
        ("Module", "ScorecardFunctions"),
    ]
    assert re.findall(r"^(\w+)=0, 0, 0, 0, C\r$", project, flags=re.M) == [n for _, n in listed]
    names = ours.openstream("PROJECTwm").read().split(b"\x00\x00\x00")
    assert [n.split(b"\x00")[0].decode() for n in names if n.strip(b"\x00")] == [n for _, n in listed]


def test_the_settings_sheet_is_the_kept_sheet_module(built):
    with zipfile.ZipFile(built) as archive:
        sheet = archive.read("xl/worksheets/sheet1.xml").decode()
        strings = archive.read("xl/sharedStrings.xml").decode()
    assert '<sheetPr codeName="Sheet2"/>' in sheet  # Excel binds the Sheet2 document module by code name
    texts = re.findall(r"<si><t>(.*?)</t></si>", strings)
    cells = {ref: texts[int(index)] for ref, index in re.findall(r'<c r="([A-Z]+\d+)" t="s"><v>(\d+)</v></c>', sheet)}
    settings = {cells[f"A{row}"]: cells.get(f"B{row}") for row in range(1, 10) if f"A{row}" in cells}
    # read by xlwings' GetConfig (keys upper-cased); "false" keeps the workbook's folder off sys.path
    assert settings == {"UDF Modules": "scorecard.udfs", "ADD_WORKBOOK_TO_PYTHONPATH": "false"}


def test_our_compound_file_reader_and_decompressor_agree_with_olefile_and_oletools():
    import xlwings
    from oletools.olevba import decompress_stream

    from scorecard.xlam.cfb import read_compound_file

    for name in ("quickstart_addin_ribbon.xlam", "addin/xlwings.xlam", "quickstart.xlsm"):
        with zipfile.ZipFile(Path(xlwings.__file__).parent / name) as archive:
            data = archive.read("xl/vbaProject.bin")
        ole = olefile.OleFileIO(data)
        assert read_compound_file(data) == {"/".join(e): ole.openstream(e).read() for e in ole.listdir()}
        container = ole.openstream("VBA/dir").read()
        assert ovba.decompress(container) == bytes(decompress_stream(bytearray(container)))


def test_a_template_with_another_code_page_is_refused():
    import struct

    template = ovba.Template.read(_template_bin())
    assert [r for r, _ in template.information if r == 3]
    records = ovba.dir_records(ovba.decompress(olefile.OleFileIO(_template_bin()).openstream("VBA/dir").read()))
    changed = b"".join(struct.pack("<HIH", 3, 2, 932) if r == 3 else raw for r, raw in records)
    streams = {
        "/".join(e): olefile.OleFileIO(_template_bin()).openstream(e).read()
        for e in olefile.OleFileIO(_template_bin()).listdir()
    }
    streams["VBA/dir"] = ovba.compress(changed)
    vba = Storage("VBA", [Stream(k[4:], v) for k, v in streams.items() if k.startswith("VBA/")])
    data = write_compound_file(
        Storage("Root Entry", [vba, *[Stream(k, v) for k, v in streams.items() if "/" not in k]])
    )
    with pytest.raises(ValueError, match="code page is 932"):
        ovba.Template.read(data)


def _udfs_as_xlwings_sees_them(monkeypatch):
    """scorecard.udfs decorated by xlwings' real Windows UDF machinery (xlwings.udfs), which imports
    here once its COM modules are stubbed: the metadata "Import Functions" writes wrappers from."""
    import importlib.util
    import types

    import xlwings as xw

    for name in ("pythoncom", "pywintypes", "win32com", "win32com.client"):
        monkeypatch.setitem(sys.modules, name, types.ModuleType(name))
    sys.modules["pythoncom"].CoInitialize = lambda: None
    sys.modules["win32com.client"].Dispatch = object
    monkeypatch.delitem(sys.modules, "xlwings.udfs", raising=False)
    xlwings_udfs = importlib.import_module("xlwings.udfs")
    monkeypatch.setattr(xw, "func", xlwings_udfs.xlfunc)
    monkeypatch.setattr(xw, "arg", xlwings_udfs.xlarg)
    monkeypatch.setattr(xw, "ret", xlwings_udfs.xlret)
    path = Path(inspect.getfile(udfs.RAG))
    spec = importlib.util.spec_from_file_location("scorecard.excel._udfs_for_xlwings", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return xlwings_udfs, module


def _functions(vba: str) -> dict[str, tuple[str, str]]:
    """{name: (signature, the Array(...) passed to CallUDF)} of VBA wrapper functions."""
    out = {}
    for name, signature, body in re.findall(r"^\s*Function (\w+)\(([^)]*)\)(.*?)End Function", vba, flags=re.M | re.S):
        call = re.search(r'XLPy\.CallUDF\("[\w.]+", "\w+", (Array\(.*?\)), ActiveWorkbook', body)
        out[name] = (signature, call.group(1) if call else "")
    return out


def test_xlwings_own_import_functions_writes_the_wrappers_the_addin_carries(monkeypatch, decoded):
    """The fallback without scorecard.xlam: xlwings' add-in's "Import Functions" generates wrappers
    from the same decorators. They must call nothing that lives only in our add-in, and pass what ours pass."""
    import io
    from types import SimpleNamespace

    import xlwings as xw

    xlwings_udfs, module = _udfs_as_xlwings_sees_them(monkeypatch)
    for name in udfs.__all__:  # hidden arguments arrive as the cells themselves
        info = getattr(module, name).__xlfunc__
        for argument in info["args"]:
            if argument["vba"] and argument["name"] != "caller":
                assert argument["options"]["convert"] is xw.Range, (name, argument["name"])
    for name in udfs.__all__:
        assert getattr(module, name).__xlfunc__["category"] == "Scorecard", name
    # SCORECARD_TABLE returns rows of values, spilled as they are: no converter option, no pandas
    assert module.SCORECARD_TABLE.__xlfunc__["ret"]["options"] == {}
    out = io.StringIO()
    xlwings_udfs.generate_vba_wrapper("scorecard.udfs", module, out, SimpleNamespace(Name="scorecard.xlam"))
    generated = _functions(out.getvalue())
    ours = _functions(decoded["ScorecardFunctions"])
    assert set(generated) == set(ours) == set(udfs.__all__)
    for name in udfs.__all__:
        assert generated[name] == ours[name], name
    called = set(re.findall(r"\b(\w+)\(", out.getvalue())) - set(udfs.__all__)
    assert called <= {"Array", "CallUDF", "Controls", "CommandBars"}, called  # xlwings' and VBA's own only


class _Cells:
    """A range argument as xlwings hands it to a UDF on Windows: number_format answers like desktop
    Excel (the format of a uniform block, None for a mixed one)."""

    def __init__(self, formats: dict[tuple[int, int], str], top: tuple[int, int], bottom: tuple[int, int]):
        self.formats, (self.row, self.column), self.bottom = formats, top, bottom
        self.shape = (bottom[0] - top[0] + 1, bottom[1] - top[1] + 1)
        self.sheet = self

    def range(self, top, bottom=None):
        return _Cells(self.formats, top, bottom or top)

    def __getitem__(self, index):
        return _Cells(self.formats, (self.row, self.column), (self.row, self.column))

    @property
    def number_format(self):
        found = {
            self.formats.get((r, c), "General")
            for r in range(self.row, self.bottom[0] + 1)
            for c in range(self.column, self.bottom[1] + 1)
        }
        return found.pop() if len(found) == 1 else None


@pytest.mark.parametrize(
    "percent, shown", [("0%", ("80%", "86%")), ("0.0%", ("80.0%", "86.1%")), ("0.00%", ("80.00%", "86.10%"))]
)
def test_worksheet_functions_read_number_formats_from_the_cells_in_python(percent, shown, tmp_path):
    cell = lambda fmt: _Cells({(1, 1): fmt}, (1, 1), (1, 1))  # noqa: E731
    assert udfs.RAG(0.849, 85, 75, "H", 1, cell(percent)) == "Amber"  # 84.9 against 85
    assert udfs.RAG(0.849, 85, 75, "H", 1, cell("General")) == "Red"  # 0.849 against 85
    # without decimals, compared at the decimals the cell shows: 84.96% shown as 85.0% meets 85, as 84.96% not
    if percent != "0%":
        assert udfs.RAG(0.8496, 85, 75, "H", None, cell(percent)) == {"0.0%": "Green", "0.00%": "Amber"}[percent]
    assert udfs.RAG(0.86, 0.85, 0.75, "H", 1, cell(percent), cell(percent), cell(percent)) == "Green"
    assert udfs.DIRECTION(0.484, 0.46, "H", 1, cell(percent), cell(percent)) == "improved"
    table = (
        ("Ref", "Polarity", "Target", "Floor", "May-18", "Jun-18"),
        ("K1", "H", 0.85, 0.75, 0.80, 0.861),
        ("K2", "L", 12, 15, 14, 13),
    )  # a count KPI under a percentage one
    formats = {(3, c): percent for c in range(3, 7)} | {(4, c): "0" for c in range(3, 7)}  # the table from row 2
    rules = tmp_path / "r.yaml"
    rules.write_text(
        "version: 1\nlayout:\n  columns: {id: Ref, polarity: Polarity, target: Target, floor: Floor, "
        "current: Jun-18, previous: May-18}\n"
    )
    lines = [line[0] for line in udfs.SCORECARD_NARRATIVE(table, str(rules), _Cells(formats, (2, 1), (4, 6)))]
    assert "• 1 is rated Green – target achieved or exceeded" in lines  # K1: 86.1 against 85
    assert (
        "• 1 is rated Amber – below target but at or above the floor standard" in lines
    )  # K2: 13, target 12, floor 15
    assert any(f"from {shown[0]} in May 2018 to {shown[1]} in June 2018" in line for line in lines)  # as the cells show
    assert any("K2. Performance improved from 14 in May 2018 to 13 in June 2018" in line for line in lines)  # its "0"


# --- installing on macOS and Windows, the platform faked ----------------------------------------------


@pytest.fixture
def fake_mac(tmp_path, monkeypatch):
    from scorecard.xlam import install

    home = tmp_path / "home"
    monkeypatch.setattr(install.sys, "platform", "darwin")
    monkeypatch.setattr(install.Path, "home", classmethod(lambda cls: home))
    monkeypatch.setenv("HOME", str(home))
    return home


@pytest.mark.slow
def test_mac_install_puts_xlwings_applescript_where_runpython_install_does(fake_mac, tmp_path):
    import xlwings

    from scorecard.xlam import install

    source = Path(xlwings.__file__).parent / f"xlwings-{xlwings.__version__}.applescript"
    script = fake_mac / "Library" / "Application Scripts" / "com.microsoft.Excel" / source.name
    target, config = install.install()
    assert target == fake_mac / "Library/Group Containers/UBF8T346G9.Office/User Content/Startup/Excel/scorecard.xlam"
    assert script.read_bytes() == source.read_bytes()  # what AppleScriptTask("xlwings-<ver>.applescript") runs
    assert f'"INTERPRETER_MAC","{sys.executable}"' in config.read_text()
    assert (
        'AppleScriptTask("xlwings-" & XLWINGS_VERSION & ".applescript"'
        in (Path(xlwings.__file__).parent / "xlwings_custom_addin.bas").read_text()
    )
    install.install()  # again: still ours to remove
    removed = install.uninstall()
    assert script in removed and not script.exists() and not target.exists()
    assert not config.exists()  # nothing of the user's was in it


def test_mac_uninstall_keeps_an_applescript_it_did_not_put_there(fake_mac):
    import xlwings

    from scorecard.xlam import install

    folder = fake_mac / "Library" / "Application Scripts" / "com.microsoft.Excel"
    folder.mkdir(parents=True)
    script = folder / f"xlwings-{xlwings.__version__}.applescript"
    script.write_text("put there by `xlwings runpython install`")
    _, config = install.install()
    assert script.read_bytes() == install.applescript_source().read_bytes()  # brought up to date
    install.uninstall()
    assert script.exists()  # another xlwings add-in may need it
    assert not (
        fake_mac / "Library/Group Containers/UBF8T346G9.Office/User Content/Startup/Excel/scorecard.xlam"
    ).exists()


@pytest.mark.slow
@pytest.mark.parametrize(
    "encoding, user", [("cp1252", "Zoë Müller"), ("cp1250", "Łukasz Wójcik"), ("cp932", "山田太郎")]
)
def test_windows_config_is_written_in_the_code_page_vba_reads(encoding, user, tmp_path, monkeypatch):
    """xlwings writes its .conf with open(path, "w"): the locale's encoding (mbcs, the ANSI code page),
    which is what VBA's Input # reads. A user folder with letters outside ASCII must survive."""
    from scorecard.xlam import install

    monkeypatch.setattr(install.sys, "platform", "win32")
    monkeypatch.setattr(install, "config_encoding", lambda: encoding)
    profile = tmp_path / "Users" / user
    monkeypatch.setenv("USERPROFILE", str(profile))
    monkeypatch.setenv("APPDATA", str(profile / "AppData" / "Roaming"))
    python = rf"C:\Users\{user}\AppData\Local\Programs\Python\Python311\python.exe"
    target, config = install.install(interpreter=python)
    assert config == profile / ".scorecard" / "scorecard.conf"
    assert target == profile / "AppData" / "Roaming" / "Microsoft" / "Excel" / "XLSTART" / "scorecard.xlam"
    assert config.read_bytes().replace(b"\r\n", b"\n") == f'"INTERPRETER_WIN","{python}"\n'.encode(encoding)
    install.install(interpreter=python)  # reads its own file back in that encoding
    assert config.read_bytes().decode(encoding).count("INTERPRETER_WIN") == 1


def test_a_python_path_the_code_page_cannot_hold_is_refused_before_anything_is_installed(tmp_path, monkeypatch):
    from scorecard.errors import ScorecardError
    from scorecard.xlam import install

    monkeypatch.setattr(install.sys, "platform", "win32")
    monkeypatch.setattr(install, "config_encoding", lambda: "cp1252")
    startup, config = tmp_path / "XLSTART", tmp_path / "conf" / "scorecard.conf"
    with pytest.raises(ScorecardError, match=r"INTERPRETER_WIN .*Łukasz.* code page \(cp1252\)"):
        install.install(startup, config, interpreter=r"C:\Users\Łukasz\python.exe")
    assert not (startup / "scorecard.xlam").exists() and not config.exists()


def test_a_config_written_as_utf8_by_an_earlier_version_is_read(tmp_path, monkeypatch):
    from scorecard.xlam import install

    monkeypatch.setattr(install, "config_encoding", lambda: "cp1252")
    config = tmp_path / "scorecard.conf"
    config.write_bytes('"PYTHONPATH","C:\\Users\\Zoë\\lib"\n'.encode())
    install.install(tmp_path / "XLSTART", config, interpreter="python")
    assert config.read_bytes().decode("cp1252").splitlines()[0] == '"PYTHONPATH","C:\\Users\\Zoë\\lib"'


def test_every_button_checks_for_a_workbook_or_brings_a_blank_one_it_closes_again(decoded):
    """RunPython reads ActiveWorkbook.FullName: with no workbook open that is VBA error 91. The buttons that
    work on the user's workbook say to open one; Help and Self-test need none of the user's, so a blank one
    stands in while Python runs and is closed again (no blank workbook is left behind)."""
    code = decoded["ScorecardRibbon"]
    subs = dict(re.findall(r"^Sub (On\w+)\(control As IRibbonControl\)\r?\n(.*?)^End Sub", code, flags=re.M | re.S))
    assert len(subs) == 8
    for name, body in subs.items():
        if name == "OnSelfTest":
            assert body.strip() == "RunSelfTest"
            body = re.search(r"^Public Sub RunSelfTest\(.*?\)\r?\n(.*?)^End Sub", code, flags=re.M | re.S).group(1)
        calls = [line.strip() for line in body.splitlines() if "RunPython" in line and not line.strip().startswith("'")]
        assert len(calls) == 1, name
        if name in ("OnHelp", "OnSelfTest"):
            steps = [line.strip() for line in body.splitlines() if line.strip() and not line.strip().startswith("'")]
            assert steps[1:] == ["Set StandIn = OpenStandIn()", calls[0], "CloseStandIn StandIn"], name
        else:
            assert calls[0].startswith("If HasWorkbook() Then RunPython"), name
    guard = re.search(r"Private Function HasWorkbook\(\) As Boolean(.*?)End Function", code, flags=re.S).group(1)
    assert "If ActiveWorkbook Is Nothing Then" in guard and "MsgBox" in guard
    stand_in = re.search(r"Private Function OpenStandIn\(\) As Workbook(.*?)End Function", code, flags=re.S).group(1)
    assert "If ActiveWorkbook Is Nothing Then Set OpenStandIn = Workbooks.Add" in stand_in
    closing = re.search(r"Private Sub CloseStandIn\(StandIn As Workbook\)(.*?)End Sub", code, flags=re.S).group(1)
    assert "If Not StandIn Is Nothing Then StandIn.Close SaveChanges:=False" in closing
    assert code.count("Workbooks.Add") == 1  # only the stand-in, which is always closed


def test_self_test_passes_the_build_the_add_in_carries_to_python(decoded):
    code = decoded["ScorecardRibbon"]
    assert f'Private Const ADDIN_BUILD As String = "{xlam.build_id()}"' in code
    assert re.fullmatch(r"\d+\.\d+\.\d+\+[0-9a-f]{12}", xlam.build_id())  # the version and a hash of the sources
    call = re.search(
        r'RunPython "import scorecard.excel; scorecard.excel.selftest\(addin=\'" & ADDIN_BUILD & "\', '
        r'report=r\'" & ReportFile & "\'\)"',
        code,
    )
    assert call, "the Self-test must name the add-in's build"
    assert re.search(r"^Public Sub RunSelfTest\(Optional ReportFile As String = \"\"\)", code, flags=re.M)
    from scorecard import excel

    parameters = inspect.signature(excel.selftest).parameters
    assert parameters["addin"].default is None and parameters["report"].default is None


def test_the_build_id_changes_with_any_source_of_the_add_in(monkeypatch):
    before = xlam.build_id()
    real = xlam.udf_wrappers
    monkeypatch.setattr(xlam, "udf_wrappers", lambda: real() + "\n' a changed signature")
    assert xlam.build_id() != before and xlam.build_id().split("+")[0] == before.split("+")[0]
    monkeypatch.setattr(xlam, "udf_wrappers", real)
    monkeypatch.setattr(xlam, "CONF", [*xlam.CONF, ("USE UDF SERVER", "true")])
    assert xlam.build_id() != before


def test_config_encoding_is_the_ansi_code_page_on_windows_and_the_locales_elsewhere(monkeypatch):
    import locale

    from scorecard.xlam import install

    monkeypatch.setattr(install.sys, "platform", "win32")
    assert install.config_encoding() == "mbcs"  # what VBA's Input # reads, even in Python's UTF-8 mode
    monkeypatch.setattr(install.sys, "platform", "darwin")
    monkeypatch.setattr(locale, "getpreferredencoding", lambda do_setlocale=True: "UTF-8")
    assert install.config_encoding() == "UTF-8"  # xlwings' open(path, "w") on a Mac
