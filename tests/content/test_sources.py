"""sources.yml rules of `bot content check`: real, dated citations that answers use."""
from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import parse_qsl, urlsplit

import pytest

from bot.content.files import answer_files, raw_answers, raw_sources
from bot.settings import get_settings
from tests.content.editing import line_of, messages, replace_in

ROOT = get_settings().root

SOURCES = "data/content/sources.yml"


def sources_file(root: Path) -> Path:
    return root / SOURCES


def url_of(root: Path, source_id: str) -> str:
    return str(raw_sources(sources_file(root))[source_id].data["url"])


def errors_at(root: Path, line: int) -> list[str]:
    """The errors `bot content check` reports at one line of sources.yml."""
    prefix = f"{SOURCES}:{line}: error: "
    return [m[len(prefix):] for m in messages(root) if m.startswith(prefix)]


@pytest.mark.parametrize("search_url", [
    "https://pubmed.ncbi.nlm.nih.gov/?term=Antidepressant+efficacy+of+ketamine",
    "https://www.ncbi.nlm.nih.gov/pubmed/?term=ketamine+depression",
    "https://www.google.com/search?q=ketamine+two-site+randomized+trial",
    "https://scholar.google.com/scholar?q=ketamine+depression",
    "https://www.bing.com/search?q=ketamine",
    "https://duckduckgo.com/?q=ketamine",
    "https://www.example.org/search?query=ketamine",
])
def test_a_search_url_is_an_error(project: Path, search_url: str) -> None:
    path = sources_file(project)
    replace_in(path, url_of(project, "S13"), search_url)
    line = line_of(path, search_url)
    assert errors_at(project, line) == [
        "source S13 links to a search, not to the work itself; use its doi.org, PubMed or PMC "
        "address, or the official page"], messages(project)


@pytest.mark.parametrize("article_url", [
    "https://pubmed.ncbi.nlm.nih.gov/23982301/",
    "https://pmc.ncbi.nlm.nih.gov/articles/PMC9154276/",
    "https://www.accessdata.fda.gov/scripts/cder/rems/index.cfm?event=IndvRemsDetails.page&REMS=386",
])
def test_an_article_or_official_page_is_accepted(project: Path, article_url: str) -> None:
    path = sources_file(project)
    replace_in(path, url_of(project, "S13"), article_url)
    assert errors_at(project, line_of(path, article_url)) == []


def test_a_source_no_answer_cites_is_an_error(project: Path) -> None:
    path = sources_file(project)
    path.write_text(path.read_text() + (
        "  S99:\n"
        '    citation: "Doe J, et al. An uncited study. Example Journal. 2020."\n'
        "    url: https://doi.org/10.1000/example\n"))
    line = line_of(path, "An uncited study")
    assert errors_at(project, line) == [
        "source S99 is not cited by any answer; cite it from an answer or delete it from "
        "sources.yml"], messages(project)

    # Once one answer cites it, the error goes away.
    answers = project / "data/content/mechanism.yml"
    replace_in(answers, "sources: [", "sources: [S99, ")
    assert errors_at(project, line) == []


def test_an_unreadable_answer_file_does_not_make_every_source_uncited(project: Path) -> None:
    replace_in(project / "data/content/cost.yml", "    topic: cost\n", "    topic: [cost\n")
    found = messages(project)
    assert any(m.startswith("data/content/cost.yml:") for m in found), found
    assert not any("is not cited by any answer" in m for m in found), found


def test_an_answer_citing_a_deleted_source_is_an_error(project: Path) -> None:
    path = sources_file(project)
    text = path.read_text()
    start = text.index("  S5:\n")
    end = text.index("  S6:\n")
    path.write_text(text[:start] + text[end:])
    found = messages(project)
    assert any(re.search(r"answer '\w+' cites S5, which is not in sources.yml", m) for m in found), found


def test_a_citation_without_a_year_is_an_error(project: Path) -> None:
    path = sources_file(project)
    citation = str(raw_sources(path)["S7"].data["citation"])
    undated = re.sub(r"\s*\b(19|20)\d\d\b\.?", "", citation)
    replace_in(path, citation, undated)
    line = line_of(path, undated)
    assert errors_at(project, line) == [
        "source S7: the citation has no year; add the year it was published (for a web page, "
        "the year it was checked)"], messages(project)


def test_staff_note_is_allowed_and_a_misspelt_field_is_a_warning(project: Path) -> None:
    path = sources_file(project)
    url = url_of(project, "S13")
    replace_in(path, f"    url: {url}\n",
               f"    url: {url}\n    staff_note: doi checked against one reference list\n")
    assert not any("S13" in m for m in messages(project))
    replace_in(path, "    staff_note: doi checked", "    staf_note: doi checked")
    line = line_of(path, "staf_note:")
    assert f"{SOURCES}:{line}: warning: source S13 has an unknown field 'staf_note:' " \
           f"(use citation, url or staff_note)" in messages(project)


# The shipped list, checked directly (not through the rules above).

SEARCH_HOSTS = ("google.", "bing.com", "duckduckgo.com")


def shipped_sources() -> dict:
    return raw_sources(ROOT / SOURCES)


def test_shipped_sources_link_to_works_not_searches() -> None:
    for source_id, record in shipped_sources().items():
        url = str(record.data.get("url", ""))
        parts = urlsplit(url)
        assert parts.scheme == "https", (source_id, url)
        query_keys = {key.lower() for key, _ in parse_qsl(parts.query)}
        assert not query_keys & {"term", "q", "query"}, (source_id, url)
        assert not any(host in (parts.hostname or "") for host in SEARCH_HOSTS), (source_id, url)


def test_every_shipped_source_is_cited_and_dated() -> None:
    cited = set()
    for path in answer_files(ROOT / "data/content"):
        for record in raw_answers(path):
            cited.update(str(s).strip() for s in record.data.get("sources") or [])
    for source_id, record in shipped_sources().items():
        assert source_id in cited, f"{source_id} is not cited by any answer"
        citation = str(record.data.get("citation", ""))
        assert re.search(r"\b(19|20)\d\d\b", citation), (source_id, citation)
        assert "placeholder" not in citation.lower(), (source_id, citation)
