"""Taking a folder (or a file) out of the catalog: its files' rows, and the photos no other
file holds with everything kept of them (vectors, hashes, keeper labels and scores, the
basket's place, keywords). Recipes, and photos with a file elsewhere, stay."""

from __future__ import annotations

from dataclasses import dataclass

import apsw

from flux_ask.db.files import at_or_under
from flux_ask.db.postgres import one_writer_at_a_time


@dataclass(frozen=True)
class Forgetting:
    """What forgetting a path removes: its files, and the photos only they hold."""

    root: str
    file_ids: tuple[int, ...]
    photos: tuple[tuple[int, str], ...]  # (id, sha256) of the photos no other file holds
    kept: int  # photos under the path that a file elsewhere still holds
    in_basket: int
    labelled: int


def forgettable(conn: apsw.Connection, root: str) -> Forgetting:
    """What `forget(root)` would remove, read without changing anything; `root` need not exist
    any more (a folder moved away is swept by its old path)."""
    file_ids, photo_ids = [], set()
    for where, values in at_or_under(root):
        for fid, pid in conn.execute(f"SELECT id, photo_id FROM files WHERE {where}", values):
            file_ids.append(fid)
            photo_ids.add(pid)
    photo_ids.discard(None)
    forgotten = set(file_ids)
    only_here = []
    for pid in sorted(photo_ids):
        others = [f for (f,) in conn.execute("SELECT id FROM files WHERE photo_id = ?", (pid,)) if f not in forgotten]
        if not others:
            only_here.append(pid)
    photos = tuple((pid, sha) for pid in only_here
                   for (sha,) in conn.execute("SELECT sha256 FROM photos WHERE id = ?", (pid,)))

    def counted(table: str) -> int:
        return sum(conn.execute(f"SELECT count(*) FROM {table} WHERE photo_id = ?", (pid,)).fetchone()[0]
                   for pid in only_here)

    return Forgetting(root, tuple(sorted(set(file_ids))), photos, len(photo_ids) - len(only_here),
                      counted("selection"), counted("keeper_labels"))


def forget(conn: apsw.Connection, what: Forgetting) -> None:
    """Remove what `forgettable` found, in one transaction: a kill leaves all of it or none."""
    photo_ids = [pid for pid, _ in what.photos]
    with conn:
        one_writer_at_a_time(conn)
        vec_tables = [t for (t,) in conn.execute("SELECT vec_table FROM models")]
        for fid in what.file_ids:
            conn.execute("DELETE FROM files WHERE id = ?", (fid,))
        for pid in photo_ids:
            conn.execute("UPDATE photos SET embedding_id = NULL WHERE id = ?", (pid,))
            for (eid,) in conn.execute("SELECT id FROM embeddings WHERE photo_id = ?", (pid,)).fetchall():
                for table in vec_tables:
                    conn.execute(f"DELETE FROM vec.{table} WHERE rowid = ?", (eid,))
            conn.execute("UPDATE keeper_files SET photo_id = NULL, status = 'unmatched', "
                         "reason = 'its photo was taken out of the catalog' WHERE photo_id = ?", (pid,))
            for table in ("embeddings", "photo_hashes", "keeper_labels", "keeper_scores", "selection",
                          "photo_keywords"):
                conn.execute(f"DELETE FROM {table} WHERE photo_id = ?", (pid,))
            conn.execute("DELETE FROM photos WHERE id = ?", (pid,))
