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

from flux_ask.archive import summary as archive
from flux_ask.chat.chips import Chip, chips
from flux_ask.chat.commands import CommandError, DraftRequest
from flux_ask.config import Settings
from flux_ask.errors import FluxAskError
from flux_ask.query.plan import DEFAULT_LIMIT, QueryPlan
from flux_ask.search.engine import Answer, Searcher

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
    def __init__(self, settings: Settings, *, embedder=None, places=None):
        self.settings = settings
        self._embedder = embedder
        self._places = places
        self._conn = None
        self._searcher: Searcher | None = None
        self.lock = threading.RLock()
        self.last: Turn | None = None

    # -- the archive ------------------------------------------------------------------

    def conn(self):
        with self.lock:
            if self._conn is None:
                self._conn = archive.require_catalog(self.settings)
            return self._conn

    def searcher(self) -> Searcher:
        with self.lock:
            if self._searcher is None:
                self._searcher = Searcher(self.settings, self.conn(), embedder=self._embedder)
            return self._searcher

    def warm(self) -> None:
        """Open the catalog, load the vectors and the text encoder, before the first question."""
        with self.lock:
            searcher = self.searcher()
            searcher.matrix()
            searcher.embedder()

    def has_catalog(self) -> bool:
        return self.settings.db_path.exists()

    def status(self) -> dict[str, Any]:
        with self.lock:
            return archive.status(self.settings, self.conn())

    # -- questions --------------------------------------------------------------------

    def ask(self, question: str, *, selected: int | None = None) -> Turn:
        with self.lock:
            before = self.last.plan if self.last else None
            plan = archive.plan_question(self.settings, self.conn(), question, previous=before,
                                         places=self._places)
            page = 0
            if self.last and _asks_for_more(plan, before) and plan.mode == "all":
                plan, page = before, self.last.page + 1  # "show more" of every match: the next page
            return self._turn(question, plan, selected=selected, page=page)

    def similar(self, target: str | None, *, selected: int | None = None) -> Turn:
        """`/similar`: the highlighted photo, result #N of the last answer, a photo id or a file."""
        if not target:
            if selected is None:
                raise CommandError("no photo is highlighted: move to one, or say /similar PHOTO_ID")
            plan = archive.similar_plan(str(selected), DEFAULT_LIMIT)
        elif target.startswith("#") and target[1:].isdigit():
            plan = QueryPlan(similar_to={"result": int(target[1:])}, notes=(f"similar to result {target[1:]}",))
        else:
            plan = archive.similar_plan(target, DEFAULT_LIMIT)
        return self._turn(f"/similar {target or ''}".strip(), plan, selected=selected)

    def recipe(self, name: str) -> Turn:
        from flux_ask.curation import recipes

        with self.lock:
            question, plan, _ = recipes.load(self.conn(), name)
            return self._turn(question, plan)

    def accept(self, turn: Turn) -> None:
        """The turn is on screen: follow-ups refine it from now on."""
        self.last = turn

    def _turn(self, question: str, plan: QueryPlan, *, selected: int | None = None, page: int = 0) -> Turn:
        with self.lock:
            previous = self.last.photo_ids if self.last else None
            answer = self.searcher().run(plan, selected=selected, previous=previous, page=page, page_size=PAGE)
            refines = self.last is not None and _refines(plan, self.last.plan)
            asked = f"{self.last.asked} · {question}" if refines else question
            return Turn(question, plan, answer, chips(plan, self.last.plan if refines else None), page, asked)

    # -- curation ---------------------------------------------------------------------

    def save_recipe(self, name: str) -> str:
        from flux_ask.curation import recipes

        if self.last is None or self.last.question.startswith("/"):
            raise CommandError("ask a question first: a recipe saves the last question and its plan")
        with self.lock:
            return recipes.save(self.conn(), name, self.last.asked, self.last.plan, {})

    def recipes(self) -> list[dict[str, Any]]:
        from flux_ask.db import curation

        with self.lock:
            return curation.recipes(self.conn())

    def delete_recipe(self, name: str) -> None:
        from flux_ask.db import curation

        with self.lock:
            if not curation.delete_recipe(self.conn(), name):
                raise CommandError(f"no recipe named {name!r}")

    def basket(self) -> list[tuple[int, str | None]]:
        from flux_ask.db import curation

        with self.lock:
            return curation.selection(self.conn())

    def mark(self, photo_id: int, marked: bool) -> None:
        """Into the basket (with the question it answered) or out of it; kept in the catalog."""
        from flux_ask.db import curation

        with self.lock:
            if marked:
                curation.select(self.conn(), [photo_id], self.last.asked if self.last else None)
            else:
                curation.unselect(self.conn(), [photo_id])

    def clear_basket(self) -> int:
        from flux_ask.db import curation

        with self.lock:
            return curation.unselect(self.conn())

    def basket_turn(self) -> Turn:
        """The basket as an answer, in the order it was filled."""
        ids = [p for p, _ in self.basket()]
        with self.lock:
            results = self.searcher().results_for(ids)
        plan = QueryPlan(mode="all", limit=max(len(ids), 1), notes=("the basket, in the order it was filled",))
        answer = Answer(plan, results, len(results), strategy="basket")
        return Turn("/select", plan, answer, [Chip("basket", f"the basket: {len(results)} photos")], asked="/select")

    def draft(self, request: DraftRequest) -> dict[str, Any]:
        from flux_ask.curation import issue, recipes

        with self.lock:
            conn = self.conn()
            source = request.source or ("selection" if self.basket() else "answer")
            if source == "selection":
                picks = issue.selection_picks(conn, self.settings)
                if not picks:
                    raise CommandError("the basket is empty: mark photos with space first")
                where = {"kind": "selection"}
            else:
                if source == "recipe":
                    question, plan, _ = recipes.load(conn, request.recipe)
                    where = {"kind": "recipe", "recipe": request.recipe, "question": question}
                elif self.last is None or self.last.question == "/select":
                    raise CommandError("ask a question first, or mark photos with space")
                else:
                    question, plan = self.last.asked, self.last.plan
                    where = {"kind": "question", "question": question}
                answer = self.searcher().run(plan.with_limit(request.count), page_size=request.count)
                picks = issue.answer_picks(conn, self.settings, answer, question, request.count)
            order = request.order or ("hand" if source == "selection" else "score")
            picks = issue.ordered(picks[:request.count], order)
            return issue.write_draft(self.settings.issues_dir, picks, order=order, source=where, copy=request.copy)

    # -- photos -----------------------------------------------------------------------

    def photo(self, photo_id: int) -> dict[str, Any]:
        """Everything the detail screen shows of one photo, its large preview made on first use."""
        from flux_ask.db import keeper as keeper_store
        from flux_ask.db.photos import photo_record
        from flux_ask.picture.scan import kind_of
        from flux_ask.picture.thumbs import detail_thumbnail, thumb_path

        with self.lock:
            conn = self.conn()
            record = photo_record(conn, photo_id)
            if record is None:
                raise FluxAskError(f"photo {photo_id} is not in the catalog")
            keeper = self.searcher().keeper_model_id()
            record["keeper_score"] = keeper_store.scores_for(conn, keeper, [photo_id]).get(photo_id) \
                if keeper is not None else None
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
        """Index `path` with its own connection (the chat's stays free for questions)."""
        from flux_ask.ingest.pipeline import Indexer

        with Indexer(self.settings, progress=progress) as indexer:
            return indexer.index([path], sweep=path.is_dir()).as_dict()

    def close(self) -> None:
        with self.lock:
            if self._conn is not None:
                self._conn.close()
                self._conn = self._searcher = None


def _refines(plan: QueryPlan, before: QueryPlan) -> bool:
    """A follow-up keeps the subject ("only 2023", "not in Rome", "show more")."""
    return (plan.text, plan.similar_to, plan.echoes_of) == (before.text, before.similar_to, before.echoes_of)


def _asks_for_more(plan: QueryPlan, before: QueryPlan | None) -> bool:
    return before is not None and plan.limit > before.limit and \
        replace(plan, limit=before.limit, notes=()) == replace(before, notes=())
