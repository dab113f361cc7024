"""Adding a visitor's wording as a training example of an existing question.

The example goes under `- intent: faq/<answer id>` in data/nlu/, written with
the same layout-keeping writer as the answers. It changes what the assistant
understands only after the model is retrained (`make run` retrains on start
when the training data changed); the answer text itself needs no retraining.

From the console it goes there only with four eyes: an editor proposes it
(a row in the staff database, not yet training data), and a reviewer other
than the proposer accepts it. Training data decides which answer a visitor
gets, so it deserves the same second look as the answer text.
"""
from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import delete, func, select

from bot.content.model import FAQ_INTENT_PREFIX
from bot.content.yaml_io import YamlDocument, literal, locked
from bot.db import session_scope
from bot.models import TrainingProposal, utcnow

MAX_LENGTH = 300
# Rasa reads [text](entity) and {"entity": ...} inside examples as annotations.
ANNOTATION = re.compile(r"\]\(|\{\"|\[[^\]]*\]\{")


class ExampleRefused(ValueError):
    pass


def _examples(block: str) -> list[str]:
    return [line[2:].strip() for line in str(block).splitlines() if line.startswith("- ")]


def known_examples(nlu_dir: Path) -> dict[str, str]:
    """Every example in the NLU data (lower-cased) and the intent it belongs to."""
    known = {}
    for path in sorted(nlu_dir.glob("*.yml")):
        document = YamlDocument(path)
        for item in (document.data or {}).get("nlu") or []:
            if isinstance(item, dict) and "examples" in item:
                for example in _examples(item["examples"]):
                    known[example.lower()] = str(item.get("intent", ""))
    return known


def _tidy(example: str) -> str:
    example = " ".join(example.split())
    if not example:
        raise ExampleRefused("the example is empty")
    if len(example) > MAX_LENGTH or ANNOTATION.search(example):
        raise ExampleRefused("this message cannot be a training example as it is; "
                             "shorten it or remove brackets")
    return example


def _has_intent(nlu_dir: Path, intent: str) -> bool:
    return any(isinstance(item, dict) and str(item.get("intent", "")) == intent
               for path in sorted(nlu_dir.glob("*.yml"))
               for item in (YamlDocument(path).data or {}).get("nlu") or [])


def check_example(nlu_dir: Path, answer_id: str, example: str) -> str:
    """The tidied example if add_example would take it now; else ExampleRefused."""
    example = _tidy(example)
    existing = known_examples(nlu_dir).get(example.lower())
    if existing:
        raise ExampleRefused(f"this wording is already a training example of '{existing}'")
    if not _has_intent(nlu_dir, FAQ_INTENT_PREFIX + answer_id):
        raise ExampleRefused(f"there is no question '{FAQ_INTENT_PREFIX + answer_id}' in the "
                             "training data")
    return example


def add_example(nlu_dir: Path, answer_id: str, example: str) -> Path:
    """Append example to faq/<answer_id>; returns the file it was written to."""
    example = _tidy(example)
    intent = FAQ_INTENT_PREFIX + answer_id
    with locked(nlu_dir):
        existing = known_examples(nlu_dir).get(example.lower())
        if existing:
            # Rasa's data check fails when one example sits under two intents.
            raise ExampleRefused(f"this wording is already a training example of '{existing}'")
        for path in sorted(nlu_dir.glob("*.yml")):
            document = YamlDocument(path)
            for item in (document.data or {}).get("nlu") or []:
                if isinstance(item, dict) and str(item.get("intent", "")) == intent:
                    block = str(item.get("examples") or "")
                    if block and not block.endswith("\n"):
                        block += "\n"
                    item["examples"] = literal(f"{block}- {example}\n")
                    document.save()
                    return path
    raise ExampleRefused(f"there is no question '{intent}' in the training data")


# --- proposals (four eyes) ----------------------------------------------------------


@dataclass(frozen=True)
class Proposal:
    id: int
    answer_id: str
    example: str
    proposed_by_id: int
    proposed_by: str
    proposed_at: dt.datetime

    @property
    def intent(self) -> str:
        """The NLU intent the example goes under: faq/<answer id>."""
        return FAQ_INTENT_PREFIX + self.answer_id

    @property
    def details(self) -> dict[str, str]:
        """For the audit log."""
        return {"example": self.example, "proposed_by": self.proposed_by}


def _proposal(row: TrainingProposal) -> Proposal:
    return Proposal(row.id, row.answer_id, row.example, row.proposed_by_id, row.proposed_by,
                    row.proposed_at)


def propose(database_url: str, nlu_dir: Path, answer_id: str, example: str, *,
            proposer_id: int, proposer: str) -> Proposal:
    """Keep example as a proposal; checked now so the editor hears about problems at once."""
    example = check_example(nlu_dir, answer_id, example)
    with session_scope(database_url) as session:
        waiting = session.execute(select(TrainingProposal).where(
            func.lower(TrainingProposal.example) == example.lower())).scalar_one_or_none()
        if waiting is not None:
            raise ExampleRefused(f"this wording already waits for review as an example of "
                                 f"'{FAQ_INTENT_PREFIX + waiting.answer_id}'")
        row = TrainingProposal(answer_id=answer_id, example=example, proposed_by_id=proposer_id,
                               proposed_by=proposer[:254], proposed_at=utcnow())
        session.add(row)
        session.flush()
        return _proposal(row)


def proposals(database_url: str) -> list[Proposal]:
    """Every proposal waiting for review, oldest first."""
    with session_scope(database_url) as session:
        rows = session.execute(select(TrainingProposal)
                               .order_by(TrainingProposal.proposed_at, TrainingProposal.id))
        return [_proposal(row) for row in rows.scalars()]


def _get(database_url: str, proposal_id: int) -> Proposal:
    with session_scope(database_url) as session:
        row = session.get(TrainingProposal, proposal_id)
        if row is None:
            raise ExampleRefused("this proposal was already accepted, declined or withdrawn")
        return _proposal(row)


def _remove(database_url: str, proposal_id: int) -> bool:
    with session_scope(database_url) as session:
        return bool(session.execute(delete(TrainingProposal).where(
            TrainingProposal.id == proposal_id)).rowcount)


def accept(database_url: str, nlu_dir: Path, proposal_id: int, *,
           reviewer_id: int) -> tuple[Proposal, Path]:
    """Write the proposal into the training data; never by the person who proposed it."""
    proposal = _get(database_url, proposal_id)
    if proposal.proposed_by_id == reviewer_id:
        raise ExampleRefused("you proposed this example; another reviewer must accept it")
    path = add_example(nlu_dir, proposal.answer_id, proposal.example)
    _remove(database_url, proposal_id)
    return proposal, path


def decline(database_url: str, proposal_id: int, *, by_id: int, may_review: bool) -> Proposal:
    """Drop a proposal: a reviewer declines it, or its proposer withdraws it."""
    proposal = _get(database_url, proposal_id)
    if not may_review and proposal.proposed_by_id != by_id:
        raise ExampleRefused("only a reviewer, or the person who proposed it, can drop it")
    if not _remove(database_url, proposal_id):
        raise ExampleRefused("this proposal was already accepted, declined or withdrawn")
    return proposal
