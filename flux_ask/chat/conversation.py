"""One conversation with the archive: questions that refine the one before, the basket,
recipes, issue drafts and background indexing, with the catalog, the matrix and the
text encoder kept warm between questions.

Every method may be called from a worker thread; one lock keeps the catalog
connection and the search state to one caller at a time. A turn becomes "the one
before" only when the front end shows it (`accept`), so a question that was
cancelled never steers the next.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from flux_ask.archive.home import Archive
from flux_ask.archive.summary import facts, places, status
from flux_ask.chat.chips import Chip, chips
from flux_ask.chat.commands import CommandError, DraftRequest
from flux_ask.curation import issue, recipes
from flux_ask.db import curation
from flux_ask.db.photos import photo_record
from flux_ask.errors import FluxAskError
from flux_ask.ingest.pipeline import Indexer
from flux_ask.picture.scan import kind_of
from flux_ask.picture.thumbs import detail_thumbnail, thumb_path
from flux_ask.query.plan import (
    DEFAULT_LIMIT,
    PhotoRef,
    QueryPlan,
    ResultRef,
    SelectedRef,
)
from flux_ask.query.planner import similar_plan
from flux_ask.search.answer import Answer
from flux_ask.search.engine import Searcher
from flux_ask.words import counted

PAGE = 500  # results per page of an "every match" answer: the grid loads its thumbnails as they come into view


@dataclass(frozen=True)
class Turn:
    question: str
    plan: QueryPlan
    answer: Answer
    chips: list[Chip]
    page: int = 0  # of an "every match" answer
    asked: str = ""  # the question with the follow-ups that refined it: "dogs · only 2023"

    @property
    def photo_ids(self) -> list[int]:
        return [r.photo_id for r in self.answer.results]


class Conversation:
    def __init__(self, archive: Archive):
        self.archive = archive
        self.settings = archive.settings
        self.searcher = Searcher(archive)
        self.lock = threading.RLock()
        self.last: Turn | None = None
        self.last_question: Turn | None = None  # the last turn that answered a question, not a command

    # -- the archive ------------------------------------------------------------------

    def warm(self) -> None:
        """Open the catalog, load the vectors and the text encoder, before the first question."""
        with self.lock:
            self.archive.matrix()
            self.archive.encoder().prepare_text()

    def has_catalog(self) -> bool:
        return self.archive.exists()

    def status(self) -> dict[str, Any]:
        with self.lock:
            return status(self.archive)

    def places(self) -> list[dict[str, Any]]:
        with self.lock:
            return places(self.archive)

    def facts(self) -> dict[str, list[dict[str, Any]]]:
        with self.lock:
            return facts(self.archive)

    # -- questions --------------------------------------------------------------------

    def ask(self, question: str, *, selected: int | None = None) -> Turn:
        with self.lock:
            self.archive.require()
            before = self.last.plan if self.last else None
            plan = self.archive.plan(question, previous=before)
            page = 0
            if self.last and _asks_for_more(plan, before) and plan.mode == "all":
                plan, page = before, self.last.page + 1  # "show more" of every match: the next page
            return self._turn(question, plan, selected=selected, page=page, typed=True)

    def similar(self, target: str | None, *, selected: int | None = None) -> Turn:
        """`/similar`: the highlighted photo, result #N of the last answer, a photo id or a file."""
        if not target:
            if selected is None:
                raise CommandError("no photo is highlighted: move to one, or say /similar PHOTO_ID")
            plan = similar_plan(str(selected), DEFAULT_LIMIT)
        elif target.startswith("#") and target[1:].isdigit():
            plan = QueryPlan(similar_to=ResultRef(int(target[1:])), notes=(f"similar to result {target[1:]}",))
        else:
            plan = similar_plan(target, DEFAULT_LIMIT)
        return self._turn(f"/similar {target or ''}".strip(), plan, selected=selected)

    def read_instead(self, number: int) -> Turn:
        """`/meant N`: the last answer again, its ambiguous place read as the Nth other meaning."""
        with self.lock:
            place = _nth(self.last.plan.alternatives if self.last else (), number, "/meant",
                         "the last answer named no place that may mean another", "the last answer's place may mean")
            return self._turn(f"meaning {place.label}", self.last.plan.read_instead(number))

    def other_reading(self, number: int, *, selected: int | None = None) -> Turn:
        """`/other N`: the last question asked the Nth other way it may be read ("'bath' as the
        place Bath"), as a question of its own."""
        with self.lock:
            question = _nth(self.last.plan.other_readings if self.last else (), number, "/other",
                            "the last answer was read only one way", "the last question may also be read as").question
            self.archive.require()
            return self._turn(question, self.archive.plan(question), selected=selected)

    def recipe(self, name: str) -> Turn:
        with self.lock:
            question, plan, _ = recipes.load(self.archive.conn, name)
            return self._turn(question, plan)

    def forget(self) -> None:
        """/new: the next question is read on its own."""
        self.last = None

    def accept(self, turn: Turn) -> None:
        """The turn is on screen: follow-ups refine it from now on."""
        self.last = turn
        if not turn.question.startswith("/"):
            self.last_question = turn

    def _turn(self, question: str, plan: QueryPlan, *, selected: int | None = None, page: int = 0,
              typed: bool = False) -> Turn:
        """`typed`: a question typed in the chat, which either follows the one before or says it does not."""
        with self.lock:
            understood = plan
            plan = self._resolve(plan, selected)
            answer = self.searcher.run(plan, page=page, page_size=PAGE)
            refines = self.last is not None and _refines(plan, self.last.plan)
            asked = f"{self.last.asked} · {question}" if refines else question
            shown = chips(understood, self.last.plan if refines else None)
            if plan.similar_to != understood.similar_to:  # "this one", "the third one": which photo it was
                meant = self._which(plan.similar_to.photo_id)
                shown = [replace(c, label=f"like {meant}") if c.kind == "like" else c for c in shown]
                plan = replace(plan, notes=tuple(f"similar to {meant}" if n.startswith("similar to ") else n
                                                 for n in plan.notes))
                answer = replace(answer, plan=plan)
            if refines:  # a follow-up says which question it narrows; a whole question says it starts afresh
                shown.insert(0, Chip("refines", f"refining “{self.last.asked}”"))
            elif self.last is not None and typed:
                how = "" if plan.similar_to else f" (to narrow “{self.last.asked}”, begin with 'only' or 'those')"
                shown.insert(0, Chip("fresh", f"a new question{how}"))
            return Turn(question, plan, answer, shown, page, asked)

    def _which(self, photo_id: int) -> str:
        """A photo as the chat names it: "photo 42 (IMG_0042.jpg, 2019-06-03)"."""
        record = photo_record(self.archive.conn, photo_id) or {}
        files = record.get("files") or []
        name = Path(files[0]["path"]).name if files else None
        said = ", ".join(filter(None, (name, (record.get("taken_at") or "")[:10])))
        return f"photo {photo_id}" + (f" ({said})" if said else "")

    def _resolve(self, plan: QueryPlan, selected: int | None) -> QueryPlan:
        """ "This one" is the highlighted photo, "the third one" the third of the answer on
        screen: the search is told which photo they are."""
        target = plan.similar_to
        if isinstance(target, SelectedRef):
            if selected is None:
                raise FluxAskError("no photo to be 'this one' yet: ask a question and move to one of its pictures, "
                                   "or say 'similar to PHOTO_ID'")
            return replace(plan, similar_to=PhotoRef(selected))
        if isinstance(target, ResultRef):
            previous = self.last.photo_ids if self.last else []
            index = target.index
            if not previous or abs(index) > len(previous) or index == 0:
                raise FluxAskError(f"there is no result {index} in the previous answer")
            return replace(plan, similar_to=PhotoRef(previous[index - 1 if index > 0 else index]))
        return plan

    # -- curation ---------------------------------------------------------------------

    def save_recipe(self, name: str) -> str:
        """The last question asked (not the basket or a /similar shown since), as a recipe."""
        if self.last_question is None:
            raise CommandError("ask a question first: a recipe saves the last question and its plan")
        with self.lock:
            return recipes.save(self.archive.conn, name, self.last_question.asked, self.last_question.plan, {})

    def recipes(self) -> list[dict[str, Any]]:
        with self.lock:
            return curation.recipes(self.archive.conn)

    def delete_recipe(self, name: str) -> None:
        with self.lock:
            if not curation.delete_recipe(self.archive.conn, name):
                raise CommandError(f"no recipe named {name!r}")

    def basket(self) -> list[tuple[int, str | None]]:
        with self.lock:
            return curation.selection(self.archive.conn)

    def mark(self, photo_id: int, marked: bool) -> None:
        """Into the basket (with the question it answered) or out of it; kept in the catalog."""
        with self.lock:
            if marked:
                curation.select(self.archive.conn, [photo_id], self.last.asked if self.last else None)
            else:
                curation.unselect(self.archive.conn, [photo_id])

    def clear_basket(self) -> int:
        with self.lock:
            return curation.unselect(self.archive.conn)

    def basket_turn(self) -> Turn:
        """The basket as an answer, in the order it was filled."""
        ids = [p for p, _ in self.basket()]
        with self.lock:
            results = tuple(self.searcher.results_for(ids))
        plan = QueryPlan(mode="all", limit=max(len(ids), 1), notes=("the basket, in the order it was filled",))
        answer = Answer(plan, results, len(results), strategy="basket")
        chip = Chip("basket", f"the basket: {counted(len(results), 'photo')}")
        return Turn("/select", plan, answer, [chip], asked="/select")

    def draft(self, request: DraftRequest) -> dict[str, Any]:
        with self.lock:
            source = request.source or ("selection" if self.basket() else "answer")
            question = plan = None
            if source == "answer":
                if self.last is None or self.last.question == "/select":
                    raise CommandError("ask a question first, or mark photos with space")
                question, plan = self.last.asked, self.last.plan
            order = request.order or issue.default_order(source)
            return issue.draft_issue(self.archive, "question" if source == "answer" else source,
                                     count=request.count, order=order, issues_dir=self.settings.issues_dir,
                                     copy=request.copy, recipe=request.recipe, question=question, plan=plan)

    # -- photos -----------------------------------------------------------------------

    def photo(self, photo_id: int) -> dict[str, Any]:
        """Everything the detail screen shows of one photo, its large preview made on first use."""
        with self.lock:
            record = photo_record(self.archive.conn, photo_id)
            if record is None:
                raise FluxAskError(f"photo {photo_id} is not in the catalog")
            record["keeper_score"] = self.archive.keeper_scores([photo_id]).get(photo_id)
            record["in_basket"] = photo_id in {p for p, _ in self.basket()}
        s, readable = self.settings, [f["path"] for f in record["files"] if f["state"] == "ok"]
        record["preview"] = str(thumb_path(s.thumbs_dir, record["sha256"], s.thumb_size))
        if readable:
            try:
                record["preview"] = str(detail_thumbnail(s.thumbs_dir, record["sha256"], readable[0],
                                                         kind_of(readable[0]) or "image", s.detail_size, s.max_pixels))
            except (OSError, FluxAskError):
                pass  # the grid thumbnail will do
        return record

    # -- indexing ---------------------------------------------------------------------

    def index(self, path: Path, progress) -> dict[str, Any]:
        """Index `path` with an archive of its own (the chat's connection stays free for questions)."""
        with Archive(self.settings, create=True) as own, Indexer(own, progress=progress) as indexer:
            return indexer.index([path], sweep=path.is_dir()).as_dict()

    def close(self) -> None:
        with self.lock:
            self.archive.close()


def _refines(plan: QueryPlan, before: QueryPlan) -> bool:
    """A follow-up says so, or keeps the subject ("only 2023", "not in Rome", "show more")."""
    subject = (plan.text, plan.similar_to, plan.echoes_of)
    return plan.refines or subject == (before.text, before.similar_to, before.echoes_of)


def _asks_for_more(plan: QueryPlan, before: QueryPlan | None) -> bool:
    return before is not None and plan.count > before.count and \
        replace(plan, limit=before.limit, notes=()) == replace(before, notes=())


def _nth(offered, number: int, command: str, none: str, may: str):
    """The Nth of an answer's other readings, as `command N` asks; one line when there is none."""
    if not offered:
        raise CommandError(none)
    if not 1 <= number <= len(offered):
        raise CommandError(f"{command} 1 to {len(offered)}: {may} "
                           + ", or ".join(f"{o.label} ({n})" for n, o in enumerate(offered, 1)))
    return offered[number - 1]
