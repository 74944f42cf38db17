"""The archive home, opened once: what every workflow (search, ingest, keeper, the chat)
reads from, each part loaded lazily and then kept.

- the catalog connection, migrated on first use;
- the active model's row, and its text and image encoder (torch, loaded on first use);
- the vector matrix of the active model, reloaded when the catalog's version moves;
- the keeper scorer for the active vectors, when one was trained;
- the place resolver (places.toml, the gazetteer, the online geocoder with its cache).

Nothing here knows how a question is answered: that is search/'s job.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date

import apsw
import numpy as np

from flux_ask.archive.keeper_model import KeeperError, KeeperModel
from flux_ask.archive.matrix import VectorMatrix
from flux_ask.config import Settings
from flux_ask.db import keeper as keeper_store
from flux_ask.db.connect import DamagedVectors, connect, set_aside
from flux_ask.db.facts import holdings
from flux_ask.db.photos import count_in_area, photos_in_box
from flux_ask.db.geocode_cache import cache_place, cached_place
from flux_ask.db.migrations import migrate
from flux_ask.db.models import active_model
from flux_ask.db.postgres import connect_postgres
from flux_ask.db.photos import has_photos
from flux_ask.db.rows import ModelRow
from flux_ask.db.status import catalog_version
from flux_ask.db.status import damage as catalog_damage
from flux_ask.db.vectors import vector_problems
from flux_ask.embed import TINY_TEST, TINY_TEST_TAG, Embedder, ModelSpec, load_query_encoder
from flux_ask.errors import CatalogError, ModelMismatch, NothingToSearch
from flux_ask.query import plan
from flux_ask.query.facts import Holdings
from flux_ask.query.geocode import OnlineGeocoder, misses_since
from flux_ask.query.places import AreaBook, CityBook, PlaceBook, chain, natural_region
from flux_ask.query.plan import QueryPlan, Rank
from flux_ask.query.reader import UnknownPlace

# what a damaged catalog.db needs: its recipes, basket and labels are nowhere else
RESTORE_CATALOG = ("restore catalog.db from a backup (or move it away, and `flux-ask index` makes the photos, "
                   "places and vectors again, though not recipes, the basket or keeper labels)")
USEFUL_ROC_AUC = 0.55  # a keeper model ranking no better than this in cross-validation is chance


@dataclass(frozen=True)
class KeeperScorer:
    """A trained keeper model, its id in the catalog and how well it did in cross-validation."""
    id: int
    model: KeeperModel
    roc_auc: float | None = None

    def score(self, vectors: np.ndarray) -> np.ndarray:
        return self.model.score(vectors)

    @property
    def better_than_chance(self) -> bool:
        return self.roc_auc is None or self.roc_auc >= USEFUL_ROC_AUC

    @classmethod
    def of(cls, row: dict) -> KeeperScorer:
        metrics = row.get("metrics") or {}
        chosen = metrics.get("cross_validation", {}).get(metrics.get("chosen"), {})
        return cls(row["id"], KeeperModel.load(row["path"]), chosen.get("roc_auc"))


class Archive:
    """One archive home, opened from the settings. `create=True` makes the catalog when
    there is none (indexing); otherwise a missing catalog is an error that says how to
    make one, raised by `require()` before any question is planned."""

    def __init__(self, settings: Settings, *, create: bool = False, encoder: Embedder | None = None, places=None):
        self.settings = settings
        self.create = create
        self._conn: apsw.Connection | None = None
        self._encoder = encoder
        self._matrix: VectorMatrix | None = None
        self._keeper: KeeperScorer | None = None
        self._places = places

    # -- the catalog --------------------------------------------------------------------

    def exists(self) -> bool:
        """Whether there is a catalog to read (a server's is found out by opening it)."""
        if self._conn is not None:
            return True
        if self.settings.catalog is None:
            return self.settings.db_path.exists()
        try:
            return self.conn is not None
        except CatalogError:
            return False

    @property
    def conn(self) -> apsw.Connection:
        if self._conn is None and self.settings.catalog is not None:
            conn = connect_postgres(self.settings.catalog, create=self.create)
            migrate(conn)
            self._conn = conn
        if self._conn is None:
            try:
                conn = connect(self.settings.db_path, self.settings.vec_path, create=self.create)
            except DamagedVectors as damaged:
                if not self.create:
                    raise
                set_aside(damaged.path)  # indexing: start a new one; the catalog says what to embed again
                conn = connect(self.settings.db_path, self.settings.vec_path, create=True)
            migrate(conn)
            self._conn = conn
        return self._conn

    def damage(self) -> list[str]:
        """Each catalog file whose pages do not hold together, in a line that names it and says
        what to do."""
        found = catalog_damage(self.conn)
        out = []
        if "main" in found:
            out.append(f"the catalog {self.settings.db_path} is damaged ({found['main']}): {RESTORE_CATALOG}")
        if "vec" in found:
            out.append(str(DamagedVectors(self.settings.vec_path, found["vec"])))
        return out

    def mend(self) -> str | None:
        """Before a folder's run: a vector file whose pages do not hold together is set aside
        and started again (the catalog says what to embed again), and a damaged catalog is
        refused before anything is written. Returns what was done, in words."""
        found = catalog_damage(self.conn)
        if "main" in found:
            raise CatalogError(f"the catalog {self.settings.db_path} is damaged ({found['main']}): "
                               f"{RESTORE_CATALOG}; nothing was indexed")
        if "vec" not in found:
            return None
        self._conn.close()
        self._conn = None
        aside = set_aside(self.settings.vec_path)
        self.conn  # noqa: B018 - a new, empty vector file
        return f"the vector database was damaged ({found['vec']}): set aside as {aside.name}, its photos embedded again"

    def vector_problems(self) -> list[str]:
        """Where the vector file disagrees with the catalog (deleted, lost its WAL)."""
        where = self.settings.catalog_name if self.settings.catalog else self.settings.vec_path
        return [f"{where}: {p}" for p in vector_problems(self.conn)]

    def require(self) -> Archive:
        """The archive with its catalog open; raises, saying how to make one, when there is none."""
        self.conn  # noqa: B018
        return self

    def model(self) -> ModelRow:
        """The model whose vectors are searched; raises when nothing is embedded yet."""
        model = active_model(self.conn)
        if model is None or not has_photos(self.conn):
            raise NothingToSearch("the archive is empty: run `flux-ask index FOLDER` first")
        return model

    def version(self) -> tuple[str, int]:
        return catalog_version(self.conn)

    # -- what is loaded once ------------------------------------------------------------

    def encoder(self) -> Embedder:
        """The encoder that speaks the catalog's vectors' language (questions, files)."""
        model = self.model()
        if self._encoder is None:
            self._encoder = load_query_encoder(model.name, model.pretrained, lambda: spec_for(model, self.settings),
                                               cache_dir=self.settings.models_dir,
                                               runtime=self.settings.query_runtime, device=self.settings.device)
        e = self._encoder
        if (e.name, e.pretrained, e.dim) != (model.name, model.pretrained, model.dim):
            raise ModelMismatch(f"the catalog's vectors come from {model.label}, but the query encoder is "
                                f"{e.name} ({e.pretrained}, {e.dim}-d)")
        return e

    def matrix(self) -> VectorMatrix:
        """The active model's vectors in memory, sorted by capture time; reloaded when the
        catalog has changed since."""
        model = self.model()
        m = self._matrix
        if m is None or m.model != model or m.version != self.version():
            problems = self.vector_problems()
            if problems:
                raise CatalogError(f"{problems[0]}: run `flux-ask index FOLDER` to embed those photos again "
                                   "(nothing else in the catalog is lost)")
            self._matrix = None  # let the old one go before the new one loads
            self._matrix = VectorMatrix.load(self.conn, model, self.settings.cache_dir)
        return self._matrix

    def keeper(self, model: ModelRow | None = None) -> KeeperScorer | None:
        """The newest keeper model that reads `model`'s vectors (the active model's by
        default), or None when none was trained for them; loaded once per keeper model."""
        model = model or active_model(self.conn)
        row = keeper_store.keeper_model_for(self.conn, model.id) if model else None
        if row is None:
            return None
        if self._keeper is None or self._keeper.id != row["id"]:
            self._keeper = KeeperScorer.of(row)
        return self._keeper

    def required_keeper(self) -> KeeperScorer:
        """The keeper scorer for the active vectors, or an error that says what to do."""
        model = self.model()
        row = keeper_store.latest_keeper_model(self.conn)
        if row is None:
            raise KeeperError("there is no keeper model: run `flux-ask keeper match KEEPER_DIR`, "
                              "then `flux-ask keeper train`")
        scorer = KeeperScorer.of(row)
        scorer.model.check(model.name, model.pretrained, model.dim)
        return scorer

    def keeper_scores(self, photo_ids: list[int]) -> dict[int, float]:
        """The keeper scores of these photos under the active vectors' keeper model."""
        scorer = self.keeper()
        return keeper_store.scores_for(self.conn, scorer.id, photo_ids) if scorer and photo_ids else {}

    # -- questions ----------------------------------------------------------------------

    def places(self):
        """places.toml, then the offline gazetteer, then (unless `geocoder = "off"`) Nominatim,
        whose answers are kept in the catalog when there is one."""
        if self._places is None:
            areas = AreaBook(self.settings.place_index_dir)
            resolvers = [PlaceBook.load(self.settings.places_path), areas,
                         CityBook(self.settings.place_index_dir, areas)]
            if self.settings.geocoder != "off":
                lookup = store = None
                if self.exists():
                    lookup = lambda key: cached_place(self.conn, key, misses_since())  # noqa: E731
                    if not self.conn.readonly("main"):  # a read-only home asks again next time
                        store = lambda key, found: cache_place(self.conn, key, found)  # noqa: E731
                resolvers.append(OnlineGeocoder(self.settings.geocoder, lookup, store))
            self._places = chain(*resolvers, natural_region)
        return self._places

    def plan(self, question: str, *, previous: QueryPlan | None = None, limit: int | None = None,
             rank: Rank | None = None) -> QueryPlan:
        try:
            query_plan = plan(question, now=date.today(), places=self.places(), previous=previous,
                              hemisphere=self.settings.hemisphere, block_m=self.settings.block_m,
                              walk_m=self.settings.walk_m,
                              date_order=self.settings.date_order, country=self.settings.country,
                              holdings=Holdings(load=lambda: holdings(self.conn), near=self._photos_near)
                              if self.exists() else None)
        except UnknownPlace as exc:  # said with the names it may have meant, and where the user's places go
            near = CityBook(self.settings.place_index_dir, AreaBook(self.settings.place_index_dir)).near_names(exc.name)
            raise UnknownPlace(exc.name, exc.why, tuple(near), str(self.settings.places_path)) from None
        if limit:
            query_plan = query_plan.with_limit(limit)
        if rank:
            query_plan = replace(query_plan, rank=rank)
        return query_plan

    def _photos_near(self, place) -> int:
        """How many photos were taken at a place (a country's or region's by the atlas; a box round
        a circle or an outline otherwise)."""
        if place.area:
            code, _, region = place.area.partition("/")
            return count_in_area(self.conn, code, region or None)
        return photos_in_box(self.conn, place.reach())

    # -- life ---------------------------------------------------------------------------

    def close(self) -> None:
        if self._conn is not None:
            self._conn.close()
        self._conn = self._matrix = None

    def __enter__(self) -> Archive:
        return self

    def __exit__(self, *exc) -> None:
        self.close()


def spec_for(model: ModelRow, settings: Settings) -> ModelSpec:
    """The encoder for the catalog's own vectors: the query must speak their language."""
    if model.name == TINY_TEST and model.pretrained == TINY_TEST_TAG:
        return ModelSpec(TINY_TEST)
    if model.pretrained.startswith("file:"):
        if settings.weights is None:
            raise ModelMismatch(f"the catalog was embedded with the checkpoint {model.pretrained[5:]}: "
                                "pass the same file with --weights")
        return ModelSpec(model.name, weights=settings.weights)
    return ModelSpec(model.name, pretrained=model.pretrained)

