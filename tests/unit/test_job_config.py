"""Job files: what a valid one means, and how every kind of mistake is reported."""

from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from capture.config.job import Job, load_job
from capture.errors import ConfigError, ExitCode
from capture.options import Viewport

REPO = Path(__file__).resolve().parents[2]
JOBS = REPO / "tests" / "sites" / "jobs"
EXAMPLE = REPO / "configs" / "jobs" / "example.yaml"
GOOD_TOP = "version: 1\nname: t\nurls:\n  - https://a.example/1\n"


def write(tmp_path: Path, text: str, name: str = "job.yaml") -> Path:
    """Write a job file and return its path."""
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def problem(path: Path) -> str:
    """Return the message of the ConfigError that loading path raises."""
    with pytest.raises(ConfigError) as caught:
        load_job(path)
    assert caught.value.exit_code is ExitCode.USAGE
    return str(caught.value)


# -- a valid job ----------------------------------------------------------------------------------


def test_a_full_job_loads_with_urls_from_the_file_and_the_list_each_once() -> None:
    job, urls = load_job(JOBS / "daily" / "daily.yaml")

    assert job.name == "daily-news"
    assert urls == [
        "https://news.example/politics/sea-wall",
        "https://news.example/sport/regatta",
        "https://gazette.example/harbour/vote?id=7",
    ]
    assert (job.concurrency, job.retries, job.retry_backoff_s, job.host_delay_s) == (4, 3, 0.5, 1.5)
    assert job.wacz is False


def test_paths_in_a_job_are_read_from_the_jobs_folder() -> None:
    job, _ = load_job(JOBS / "daily" / "daily.yaml")

    assert job.urls_file == JOBS / "daily" / "urls.txt"
    assert job.sites == [JOBS / "daily" / "sites"]


def test_defaults_apply_to_every_url_and_an_override_only_to_its_own() -> None:
    job, _ = load_job(JOBS / "daily" / "daily.yaml")

    plain = job.settings_for("https://news.example/politics/sea-wall").options()
    phone = job.settings_for("https://news.example/sport/regatta").options()

    assert (plain.viewport, plain.timeout_s, plain.consent, plain.scroll) == (
        Viewport(1024, 768),
        45.0,
        "reject",
        True,
    )
    assert plain.outputs == frozenset({"screenshot", "dom", "article"})
    assert (phone.viewport, phone.timeout_s, phone.consent, phone.scroll) == (
        Viewport(390, 844),
        45.0,
        "reject",
        False,
    )


def test_a_minimal_job_gets_the_documented_defaults(tmp_path: Path) -> None:
    job, urls = load_job(write(tmp_path, GOOD_TOP))

    assert urls == ["https://a.example/1"]
    assert (job.concurrency, job.retries, job.retry_backoff_s, job.host_delay_s) == (2, 2, 2.0, 0.0)
    assert job.output == Path("archives")
    assert job.wacz is True
    assert job.settings_for(urls[0]).options().viewport == Viewport(1280, 800)


def test_urls_that_differ_only_in_case_of_host_or_scheme_are_one_url(tmp_path: Path) -> None:
    text = "version: 1\nname: t\nurls:\n  - https://a.example/x\n  - HTTPS://A.EXAMPLE/x\n"
    _, urls = load_job(write(tmp_path, text))
    assert urls == ["https://a.example/x"]


# -- mistakes: each names the file, the line, the key path and the fix -----------------------------


def test_a_file_that_is_not_yaml_names_the_file_and_line(tmp_path: Path) -> None:
    path = write(tmp_path, "version: 1\nname: t\nurls:\n\t- https://a.example/\n")
    assert problem(path) == (
        f"{path}:4: not valid YAML (found character '\\t' that cannot start any token). "
        "Fix the syntax there."
    )


def test_an_unknown_key_is_an_error_listing_the_allowed_keys(tmp_path: Path) -> None:
    path = write(tmp_path, GOOD_TOP + "concurency: 4\n")
    message = problem(path)
    assert message.startswith(f"{path}:5: concurency: unknown key. Allowed here: ")
    assert "concurrency" in message.split("Allowed here:")[1]


def test_an_unknown_key_inside_defaults_names_its_key_path_and_line(tmp_path: Path) -> None:
    path = write(tmp_path, GOOD_TOP + "defaults:\n  timeout_s: 30\n  viewports: 800x600\n")
    message = problem(path)
    assert message.startswith(f"{path}:7: defaults.viewports: unknown key. Allowed here: ")
    assert "viewport" in message


def test_an_unknown_key_in_the_second_override_names_it_by_index(tmp_path: Path) -> None:
    text = GOOD_TOP + (
        "overrides:\n"
        "  - url: https://a.example/1\n"
        "    timeout_s: 5\n"
        "  - url: https://a.example/1\n"
        "    wait: 3\n"
    )
    path = write(tmp_path, text)
    assert problem(path).startswith(f"{path}:9: overrides[1].wait: unknown key. Allowed here: ")


def test_a_url_that_is_not_http_names_its_index_line_and_the_fix(tmp_path: Path) -> None:
    path = write(tmp_path, GOOD_TOP + "  - ftp://files.example/report.pdf\n")
    assert problem(path) == (
        f"{path}:5: urls[1]: Cannot capture 'ftp://files.example/report.pdf' "
        "(not an http or https URL). Give a full address such as https://example.org/page."
    )


def test_every_problem_of_a_file_is_reported_at_once(tmp_path: Path) -> None:
    path = write(tmp_path, GOOD_TOP + "concurrency: 0\nretries: many\n")
    lines = problem(path).splitlines()
    assert [line.split(": ")[0:2] for line in lines] == [
        [f"{path}:5", "concurrency"],
        [f"{path}:6", "retries"],
    ]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("name: t\nurls: [https://a.example/]\n", ":1: version: this key is required. Add it."),
        ("version: 1\nurls: [https://a.example/]\n", ":1: name: this key is required. Add it."),
        ("version: 1\nname: t\n", ":1: (top level): the job lists no URLs. Add `urls:`"),
        ("version: 1\nname: ../x\nurls: [https://a.example/]\n", ":2: name: '../x' cannot name"),
        (
            "version: 1\nname: t\nurls: [https://a.example/]\ndefaults:\n  viewport: wide\n",
            ":5: defaults.viewport: 'wide' is not a viewport. Write WIDTHxHEIGHT",
        ),
        (
            "version: 1\nname: t\nurls: [https://a.example/]\noverrides:\n  - timeout_s: 5\n",
            ":5: overrides[0].url: this key is required. Add it.",
        ),
        ("version: 1\nname: t\nurls: [https://a.example/]\nretries: 11\n", ":4: retries: "),
        (
            "version: 1\nname: t\nurls: [https://a.example/]\nhost_delay_s: -1\n",
            ":4: host_delay_s: ",
        ),
    ],
)
def test_missing_and_out_of_range_values_name_line_and_key(
    tmp_path: Path, text: str, expected: str
) -> None:
    path = write(tmp_path, text)
    assert problem(path).startswith(f"{path}{expected}")


@pytest.mark.parametrize("text", ["", "- https://a.example/\n", "just text\n"])
def test_a_file_that_is_not_a_mapping_says_how_to_start(tmp_path: Path, text: str) -> None:
    path = write(tmp_path, text)
    assert "start with `version: 1`" in problem(path)


def test_a_missing_job_file_is_a_config_error(tmp_path: Path) -> None:
    assert "no such file" in problem(tmp_path / "nowhere.yaml")


def test_a_key_given_twice_names_the_file_and_line_like_every_other_error(tmp_path: Path) -> None:
    path = write(tmp_path, GOOD_TOP + "name: again\n")
    assert problem(path).startswith(f"{path}:5: ")


def test_a_missing_url_file_is_an_error_naming_it(tmp_path: Path) -> None:
    path = write(tmp_path, "version: 1\nname: t\nurls_file: lists/missing.txt\n")
    message = problem(path)
    assert f"{tmp_path / 'lists' / 'missing.txt'}: no such URL file" in message
    assert "urls_file" in message


@pytest.mark.parametrize(
    ("text", "where"),
    [
        ("version: 1\nname: t\nurls_file: missing.txt\n", ":3: urls_file: "),
        ("version: 1\nname: t\nurls: [https://a.example/]\nsites: [nowhere]\n", ":4: sites[0]: "),
    ],
)
def test_a_missing_path_names_the_job_line_and_key(tmp_path: Path, text: str, where: str) -> None:
    path = write(tmp_path, text)
    assert problem(path).startswith(f"{path}{where}")


def test_a_missing_site_folder_is_an_error_with_the_fix(tmp_path: Path) -> None:
    path = write(tmp_path, GOOD_TOP + "sites: [nowhere]\n")
    message = problem(path)
    assert f"{tmp_path / 'nowhere'} is not a folder" in message
    assert "Fix the path or remove it." in message


def test_a_bad_url_in_the_url_file_names_that_file_and_line(tmp_path: Path) -> None:
    (tmp_path / "urls.txt").write_text("# list\nhttps://a.example/1\n\nftp://a.example/x\n")
    path = write(tmp_path, "version: 1\nname: t\nurls_file: urls.txt\n")
    assert problem(path).startswith(f"{tmp_path / 'urls.txt'}:4: Cannot capture 'ftp://")


@pytest.mark.parametrize("url", ["mailto:x@a.example", "file:/etc/passwd", "javascript:alert(1)"])
def test_a_url_with_another_scheme_and_no_slashes_is_refused(tmp_path: Path, url: str) -> None:
    path = write(tmp_path, GOOD_TOP + f"  - '{url}'\n")
    assert problem(path).startswith(f"{path}:5: urls[1]: Cannot capture")


# -- the example and the schema -------------------------------------------------------------------


def test_the_example_job_is_valid_and_only_names_placeholder_hosts() -> None:
    job, urls = load_job(EXAMPLE)

    assert job.name == "example"
    placeholder = re.compile(r"(^|\.)(example\.(org|com|net)|[a-z0-9-]+\.example)$")
    for url in [*urls, *(o.url for o in job.overrides)]:
        assert placeholder.search(urlsplit(url).hostname or ""), url


def test_the_example_job_documents_every_key() -> None:
    text = EXAMPLE.read_text("utf-8")
    keys = set(Job.model_fields) | set(Job.model_fields["defaults"].annotation.model_fields)  # type: ignore[union-attr]
    for key in sorted(keys):
        assert re.search(rf"^\s*#?\s*{key}:", text, re.M), key


def test_the_job_schema_forbids_unknown_keys_at_every_level() -> None:
    schema = Job.model_json_schema()

    assert schema["additionalProperties"] is False
    for name in ("CaptureSettings", "UrlOverride"):
        assert schema["$defs"][name]["additionalProperties"] is False
    assert {"version", "name"} <= set(schema["required"])


@pytest.mark.parametrize(
    ("tsa", "says"),
    [
        ("https://clerk:s3cret@tsa.example/ts", "with a user name or password"),
        ("tsa.example/ts", "is not the http(s) URL of a time stamp authority"),
    ],
)
def test_a_tsa_url_that_cannot_work_is_refused_without_showing_its_password(
    tmp_path: Path, tsa: str, says: str
) -> None:
    path = write(tmp_path, f"version: 1\nname: sealed\nurls: [https://a.example/]\ntsa: [{tsa}]\n")

    message = problem(path)

    assert says in message and "s3cret" not in message
