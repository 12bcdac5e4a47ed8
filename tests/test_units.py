"""The small parts on their own: file readers, the date grammar of files, the output writers."""

import codecs
import datetime as dt
import io
import json

import pytest

from crmcli import model, output, when
from crmcli.errors import CrmError
from crmcli.exchange import readers

# --------------------------------------------------------------------------- readers


@pytest.mark.parametrize(
    ("data", "encoding"),
    [
        (codecs.BOM_UTF8 + "José".encode(), "utf-8-sig"),
        (codecs.BOM_UTF16_LE + "José".encode("utf-16-le"), "utf-16"),
        ("name,email\nJosé,j@x\n".encode("utf-16-le"), "utf-16-le"),
        ("name,email\nJosé Müller,j@x\n".encode(), "utf-8"),
        ("name,email\nJosé Müller,j@x\nFrançois,f@x\n".encode("cp1252"), "cp1252"),
        (b"plain ascii", "utf-8"),
    ],
)
def test_encodings_are_recognised(data, encoding):
    assert readers.detect_encoding(data) == encoding


def test_a_cp1252_file_reads_as_text():
    binary = io.BufferedReader(io.BytesIO("name\nJosé Müller € 5\n".encode("cp1252")))
    assert readers.text_stream(binary).read() == "name\nJosé Müller € 5\n"


def rows(text, delimiter=","):
    return list(readers.csv_rows(io.StringIO(text, newline=""), delimiter))


def test_csv_rows_carry_their_line_numbers_across_quoted_newlines():
    assert rows('name,notes\n"Ana","two\nlines"\nBruno,x\n') == [
        (1, ["name", "notes"]),
        (2, ["Ana", "two\nlines"]),
        (4, ["Bruno", "x"]),
    ]


def test_csv_refuses_an_unterminated_quote_and_a_stray_quote():
    with pytest.raises(CrmError, match=r"line 2: a quoted cell is never closed: add the closing"):
        rows('name,email\n"Open,o@x.com\nBob,b@x\n')
    number, problem = rows('name,email\nab"c,d\n')[-1]
    assert number == 2 and "a quote inside a cell" in problem
    assert rows('name\n"say ""hi"""\n')[-1] == (2, ['say "hi"'])


@pytest.mark.parametrize(
    ("header", "delimiter"), [("name,email", ","), ("name;email", ";"), ("name\temail", "\t")]
)
def test_the_delimiter_is_sniffed_from_the_header(header, delimiter):
    assert readers.sniff_delimiter(header + "\nA,B\n") == delimiter


def test_jsonl_lines_that_are_not_objects_are_numbered_problems():
    text = '{"name": "A"}\n\n[1]\n' + "[" * 50_000 + "]" * 50_000 + "\n{bad\n"
    found = list(readers.jsonl_objects(io.StringIO(text)))
    assert found[0] == (1, {"name": "A"})
    assert found[1] == (3, "each line must be a JSON object")
    assert found[2] == (4, "JSON nested too deeply")
    assert found[3][0] == 5 and "not valid JSON" in found[3][1]


# --------------------------------------------------------------------------- dates in files


@pytest.mark.parametrize(
    ("text", "order", "expected"),
    [
        ("14/03/1985", None, (3, 14, 1985)),
        ("3/14/1985", None, (3, 14, 1985)),
        ("05/03/1990", "dmy", (3, 5, 1990)),
        ("05/03/1990", "mdy", (5, 3, 1990)),
        ("29.02.1992", None, (2, 29, 1992)),
        ("1985/03/14", None, (3, 14, 1985)),
        ("19850314", None, (3, 14, 1985)),
        ("1985-03-14T00:00:00Z", None, (3, 14, 1985)),
        ("1604-03-14", None, (3, 14, None)),
        ("--0314", None, (3, 14, None)),
    ],
)
def test_special_dates_from_files(text, order, expected):
    assert when.parse_special_date(text, from_file=True, order=order) == expected


def test_an_ambiguous_day_and_month_is_refused_never_swapped():
    with pytest.raises(CrmError, match="ambiguous date '05/03/1990'.*--date-order"):
        when.parse_special_date("05/03/1990", from_file=True)
    with pytest.raises(CrmError, match="bad special date"):
        when.parse_special_date("14/03/1985")  # commands take ISO forms only


def test_the_date_order_of_a_file_is_read_from_its_dates():
    assert when.date_order_of("a,14/03/1985\nb,05/03/1990\n") == "dmy"
    assert when.date_order_of("a,3/14/1985\n") == "mdy"
    assert when.date_order_of("a,05/03/1990\n") is None
    assert when.date_order_of("a,14/03/1985\nb,3/14/1985\n") is None
    assert when.means_no_date("0/0/00") and not when.means_no_date("1/1/00")


@pytest.mark.parametrize(
    ("value", "days"), [("30", 30), (30, 30), ("30d", 30), ("6w", 42), ("1y", 365), (30.0, 30)]
)
def test_cadences(value, days):
    assert when.parse_cadence(value) == days


@pytest.mark.parametrize("value", ["0", "-3", "99999999999999999999", "soon", True, 1.5, "200y"])
def test_bad_cadences(value):
    with pytest.raises(CrmError):
        when.parse_cadence(value)


def test_timestamps_from_files_become_local_time_to_the_second():
    assert when.parse_timestamp("2026-11-24") == "2026-11-24"
    assert when.parse_timestamp("2026-11-24T09:30:00") == "2026-11-24T09:30:00"
    utc = when.parse_timestamp("2026-11-24T09:30:00Z")
    expected = dt.datetime(2026, 11, 24, 9, 30, tzinfo=dt.UTC).astimezone().replace(tzinfo=None)
    assert utc == expected.isoformat(timespec="seconds")
    with pytest.raises(CrmError, match="outside the supported range 1900-01-01 to 2999-12-31"):
        when.parse_timestamp("0001-01-01")


def test_a_year_before_29_february_is_28_february():
    assert when.years_before(dt.date(2028, 2, 29), 1) == dt.date(2027, 2, 28)


# --------------------------------------------------------------------------- model checks


def test_text_checks_refuse_wrong_types_nul_and_surrogates():
    assert model.text(" Ana ", "name") == "Ana"
    assert model.as_text(912345678, "phone") == "912345678"
    for bad, says in ((["x"], "not a list"), (True, "not true/false"), ({"a": 1}, "not an object")):
        with pytest.raises(CrmError, match=says):
            model.text(bad, "name")
    with pytest.raises(CrmError, match="NUL"):
        model.text("a\x00b", "name")
    with pytest.raises(CrmError, match="not valid Unicode"):
        model.text("a\ud800", "name")


def test_amounts_are_finite_non_negative_and_bounded():
    assert model.amount("1200.50") == 1200.5 and model.amount(7) == 7.0
    for bad in ("lots", "nan", "inf", -1, 1e308, True, [1]):
        with pytest.raises(CrmError):
            model.amount(bad)


def test_a_closed_vocabulary_is_bad_usage_on_the_command_line():
    with pytest.raises(model.UnknownChoice) as raised:
        model.choice("fax", model.CHANNELS, "channel")
    assert raised.value.exit_code == 2


# --------------------------------------------------------------------------- output writers

ROWS = [
    {"id": 1, "name": 'Ana "A" Silva', "tags": ["a", "b"], "ok": True, "notes": "two\nlines"},
    {"id": 2, "name": "張偉", "tags": [], "ok": False, "notes": None},
]


def rendered(fmt, rows=ROWS, **options):
    out = io.StringIO()
    output.render(rows, fmt, out=out, **options)
    return out.getvalue()


def test_csv_is_rfc_4180_with_crlf_and_lists_in_one_cell():
    assert rendered("csv") == (
        'id,name,tags,ok,notes\r\n1,"Ana ""A"" Silva",a;b,true,"two\nlines"\r\n2,張偉,,false,\r\n'
    )


def test_tsv_escapes_tabs_and_newlines():
    text = rendered("tsv", [{"a": "x\ty", "b": "1\n2"}])
    assert text == "a\tb\nx\\ty\t1\\n2\n"


def test_json_and_jsonl_keep_types_and_empty_json_is_an_empty_array():
    assert json.loads(rendered("json")) == ROWS
    assert [json.loads(line) for line in rendered("jsonl").splitlines()] == ROWS
    assert rendered("json", []) == "[]\n" and rendered("csv", []) == ""


def test_plain_and_markdown_are_one_line_per_row():
    plain = rendered("plain", columns=("id", "name", "notes")).splitlines()
    assert plain[0].split() == ["id", "name", "notes"] and len(plain) == 3
    markdown = rendered("markdown", [{"a": "x|y"}])
    assert "| x\\|y |" in markdown


def test_a_report_in_csv_has_a_section_column():
    report = {"one": [{"a": 1}], "two": [{"b": 2}], "title": "x"}
    sections = [output.Section("one", "One"), output.Section("two", "Two")]
    out = io.StringIO()
    output.render_report(report, "csv", sections, out=out)
    assert out.getvalue() == "section,a,b\r\none,1,\r\ntwo,,2\r\n"
    out = io.StringIO()
    output.render_report(report, "json", sections, out=out)
    assert json.loads(out.getvalue()) == report


def test_invisible_tag_characters_and_fillers_are_shown_escaped():
    from crmcli.output import shown

    assert shown("Ana\U000e0041\U000e0042") == "Ana\\U000e0041\\U000e0042"
    assert shown("Kim\u3164") == "Kim\\u3164" and shown("\u115fLee") == "\\u115fLee"
    assert shown("José Ó Briain 張偉") == "José Ó Briain 張偉"  # real letters stay
