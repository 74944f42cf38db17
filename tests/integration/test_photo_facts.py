"""Everything the files say: dates from XMP, IPTC and PNG chunks, zones, lenses, NUL-padded
strings, HEIF orientation, the marks of each editor's sidecar; read again when a sidecar
changes, without embedding; and asked for in words, against a real catalog."""

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from PIL import Image
from PIL.PngImagePlugin import PngInfo

from flux_ask.archive.home import Archive
from flux_ask.archive.summary import status, status_rows
from flux_ask.config import load_settings
from flux_ask.ingest.pipeline import Indexer
from flux_ask.picture.decode import decode
from flux_ask.search.engine import Searcher
from tests.conftest import subprocess_env
from tests.photos import EXIF_IFD, exif_for, picture, rational, write_photo

NS = {"x": "adobe:ns:meta/", "rdf": "http://www.w3.org/1999/02/22-rdf-syntax-ns#",
      "xmp": "http://ns.adobe.com/xap/1.0/", "dc": "http://purl.org/dc/elements/1.1/",
      "photoshop": "http://ns.adobe.com/photoshop/1.0/", "exif": "http://ns.adobe.com/exif/1.0/",
      "lr": "http://ns.adobe.com/lightroom/1.0/", "digiKam": "http://www.digikam.org/ns/1.0/",
      "darktable": "http://darktable.sf.net/", "aux": "http://ns.adobe.com/exif/1.0/aux/"}


def xmp(attributes: str = "", elements: str = "") -> str:
    """An XMP packet as editors write one: simple properties as attributes, bags as elements."""
    names = " ".join(f'xmlns:{k}="{v}"' for k, v in NS.items() if k not in ("x", "rdf"))
    return (f'<?xpacket begin="\ufeff" id="W5M0MpCehiHzreSzNTczkc9d"?><x:xmpmeta xmlns:x="adobe:ns:meta/">'
            f'<rdf:RDF xmlns:rdf="{NS["rdf"]}"><rdf:Description rdf:about="" {names} {attributes}>{elements}'
            f'</rdf:Description></rdf:RDF></x:xmpmeta><?xpacket end="w"?>')


def bag(tag: str, *values: str) -> str:
    return f"<{tag}><rdf:Bag>{''.join(f'<rdf:li>{v}</rdf:li>' for v in values)}</rdf:Bag></{tag}>"


def alt(tag: str, value: str) -> str:
    return f'<{tag}><rdf:Alt><rdf:li xml:lang="x-default">{value}</rdf:li></rdf:Alt></{tag}>'


def meta_of(path: Path, sidecar: Path | None = None):
    return decode(str(path), "image", path.stat().st_mtime_ns, min_side=64, max_pixels=10**8,
                  sidecar=str(sidecar) if sidecar else None)


# -- reading --------------------------------------------------------------------------

def test_a_date_only_xmp_holds_is_read_with_its_zone(tmp_path):
    path = tmp_path / "scan.jpg"
    picture(1).save(path, "JPEG", xmp=xmp('photoshop:DateCreated="2011-02-10T21:10:08-08:00"').encode())
    meta = meta_of(path).meta
    assert (meta.taken_at, meta.taken_at_source) == ("2011-02-10T21:10:08", "XMP photoshop:DateCreated")
    assert (meta.utc_offset_min, meta.utc_source) == (-480, "XMP photoshop:DateCreated")


def test_an_xmp_creation_date_beats_the_modify_time(tmp_path):
    exif = exif_for()
    exif[0x0132] = "2020:05:15 10:00:00"  # DateTime: when it was last saved
    path = write_photo(tmp_path / "export.jpg", exif=exif)
    with_xmp = tmp_path / "export2.jpg"
    Image.open(path).save(with_xmp, "JPEG", exif=exif.tobytes(), xmp=xmp('xmp:CreateDate="2011-07-19T11:36:38"').encode())
    meta = meta_of(with_xmp).meta
    assert (meta.taken_at, meta.taken_at_source) == ("2011-07-19T11:36:38", "XMP xmp:CreateDate")


def test_iptc_date_and_time_created_with_its_zone(tmp_path):
    import exiv2

    path = write_photo(tmp_path / "agency.jpg", exif=exif_for(make="Canon", model="Canon EOS 5D"))
    fixture = exiv2.ImageFactory.open(str(path))  # a fixture of our own making: written here, never an original
    fixture.readMetadata()
    iptc = fixture.iptcData()
    iptc["Iptc.Application2.DateCreated"] = "2015-02-17"
    iptc["Iptc.Application2.TimeCreated"] = "17:30:01+02:00"
    iptc["Iptc.Application2.Keywords"] = "protest"
    fixture.writeMetadata()
    meta = meta_of(path).meta
    assert (meta.taken_at, meta.taken_at_source, meta.utc_offset_min) == ("2015-02-17T17:30:01", "IPTC DateCreated",
                                                                          120)
    assert meta.keywords == ("protest",)


def test_a_png_creation_time_chunk(tmp_path):
    info = PngInfo()
    info.add_text("Creation Time", "Sat, 04 Jun 2016 09:15:00 +0200")
    path = tmp_path / "screen.png"
    picture(2).save(path, "PNG", pnginfo=info)
    meta = decode(str(path), "image", path.stat().st_mtime_ns, min_side=64, max_pixels=10**8).meta
    assert (meta.taken_at, meta.taken_at_source, meta.utc_offset_min) == ("2016-06-04T09:15:00", "PNG Creation Time",
                                                                          120)


def test_offset_time_when_offset_time_original_is_absent(tmp_path):
    exif = exif_for(taken="2022:03:01 09:00:00")
    exif.get_ifd(EXIF_IFD)[0x9010] = "+09:00"  # OffsetTime only
    meta = meta_of(write_photo(tmp_path / "tokyo.jpg", exif=exif)).meta
    assert (meta.utc_offset_min, meta.utc_source) == (540, "OffsetTime")


def test_strings_are_cut_at_nul_and_lens_and_exposure_are_read(tmp_path):
    exif = exif_for(taken="2019:05:01 12:00:00", make="GoPro\x00\xfc\xcdx\xc0\x13 HU", model="HERO4 Silver")
    ifd = exif.get_ifd(EXIF_IFD)
    ifd[0xA434] = "XF23mmF2 R WR"  # LensModel
    ifd[0x920A] = rational(23)  # FocalLength
    ifd[0xA405] = 35  # FocalLengthIn35mmFilm
    ifd[0x829D] = rational(1.4)  # FNumber
    ifd[0x829A] = rational(1 / 250)  # ExposureTime
    ifd[0x8827] = 3200  # ISO
    ifd[0x9209] = 1  # Flash fired
    meta = meta_of(write_photo(tmp_path / "x.jpg", exif=exif)).meta
    assert (meta.camera_make, meta.camera_model, meta.lens) == ("GoPro", "HERO4 Silver", "XF23mmF2 R WR")
    assert (meta.focal_mm, meta.focal_35mm, meta.f_number, meta.iso, meta.flash) == (23.0, 35.0, 1.4, 3200, True)
    assert meta.exposure_s == pytest.approx(1 / 250)


def test_a_lens_only_xmp_names(tmp_path):
    path = tmp_path / "lr.jpg"
    picture(3).save(path, "JPEG", xmp=xmp('aux:Lens="Summilux-M 1:1.4/35 ASPH."').encode())
    assert meta_of(path).meta.lens == "Summilux-M 1:1.4/35 ASPH."


# -- each editor's sidecar ------------------------------------------------------------

SIDECARS = {
    "lightroom": (xmp('xmp:Rating="5" xmp:Label="Red"', bag("dc:subject", "family", "Lund")
                      + bag("lr:hierarchicalSubject", "places|Sweden|Lund") + alt("dc:title", "Summer Rain")
                      + alt("dc:description", "Grandmother's garden")),
                  dict(rating=5, color_label="red", title="Summer Rain", caption="Grandmother's garden",
                       keywords=("family", "Lund", "places/Sweden/Lund"))),
    "darktable": (xmp('xmp:Rating="-1"', bag("darktable:colorlabels", "2") + bag("dc:subject", "blurry")),
                  dict(rating=-1, pick=-1, color_label="green", keywords=("blurry",))),
    "digikam": (xmp('digiKam:PickLabel="3" digiKam:ColorLabel="5" xmp:Rating="4"',
                    bag("digiKam:TagsList", "People/Marie Curie")),
                dict(rating=4, pick=1, color_label="blue", keywords=("People/Marie Curie",))),
    "captureone": (xmp('xmp:Rating="3" xmp:Label="Yellow"'), dict(rating=3, color_label="yellow")),
}


@pytest.mark.parametrize("editor", SIDECARS)
def test_each_editors_sidecar_gives_the_photographers_marks(tmp_path, editor):
    packet, expected = SIDECARS[editor]
    photo = write_photo(tmp_path / "IMG_0001.jpg", exif=exif_for(taken="2021:08:01 10:00:00"))
    sidecar = tmp_path / ("IMG_0001.jpg.xmp" if editor in ("darktable", "digikam") else "IMG_0001.xmp")
    sidecar.write_text(packet, encoding="utf-8")
    before = (photo.read_bytes(), sidecar.read_bytes())
    meta = meta_of(photo, sidecar).meta
    for key, value in expected.items():
        assert getattr(meta, key) == value, key
    assert (photo.read_bytes(), sidecar.read_bytes()) == before  # read, never written


def test_texts_and_keywords_are_bounded(tmp_path):
    photo = write_photo(tmp_path / "IMG_0002.jpg", exif=exif_for(taken="2021:08:01 10:00:00"))
    words = [f"tag{i}" for i in range(2_000)]
    (tmp_path / "IMG_0002.xmp").write_text(xmp('xmp:Rating="4"', alt("dc:description", "fog " * 50_000)
                                               + bag("dc:subject", *words)), encoding="utf-8")
    meta = meta_of(photo, tmp_path / "IMG_0002.xmp").meta
    assert meta.rating == 4 and len(meta.caption) <= 2_000 and meta.caption.startswith("fog fog")
    assert meta.keywords == tuple(words[:500])


def test_a_sidecar_too_big_to_be_one_is_said_and_its_photo_catalogued_without_it(tmp_path, tiny):
    import time

    root = tmp_path / "photos"
    write_photo(root / "IMG_0003.jpg", exif=exif_for(taken="2021:08:01 10:00:00"))
    padding = " " * (9 << 20)  # whitespace XMP allows: a packet of 9 MB that says Rating 5
    (root / "IMG_0003.xmp").write_text(xmp(f'xmp:Rating="5"{padding}'), encoding="utf-8")
    settings = load_settings(tmp_path / "home", model="tiny-test", geocoder="off")
    started = time.perf_counter()
    with Indexer(Archive(settings, create=True), embedder=tiny) as indexer:
        report = indexer.index([root])
    assert time.perf_counter() - started < 30
    assert report.counts["embedded"] == 1 and report.lonely_sidecars == [] and report.errors == []
    assert [n for n in report.notes if str(root / "IMG_0003.xmp") in n and "catalogued without it" in n]
    with Archive(settings) as archive:
        assert archive.conn.execute("SELECT rating FROM photos").fetchall() == [(None,)]


# -- HEIF orientation (the shared photos) ---------------------------------------------

@pytest.mark.shared
@pytest.mark.parametrize("name, orientation, size", [
    ("photoprism/assets/examples/iphone_7.heic", 6, (3024, 4032)),  # EXIF says turn, no irot: turned
    ("metadata-extractor/heic/Issue 487.heic", 1, (3024, 4032)),  # irot: the decoder turned it
])
def test_a_heif_is_upright_with_or_without_irot(shared_photos, name, orientation, size):
    path = shared_photos / name
    if not path.exists():
        pytest.skip(f"{name} is not in the shared photos")
    decoded = decode(str(path), "image", path.stat().st_mtime_ns, min_side=64, max_pixels=10**9)
    assert decoded.meta.orientation == orientation and (decoded.width, decoded.height) == size
    assert decoded.image.height > decoded.image.width  # the picture itself stands upright


# -- the index, and asking -------------------------------------------------------------

def build_archive(tmp_path: Path, tiny):
    """Photos that differ only in what their files say."""
    root = tmp_path / "photos"

    def photo(name, size=(320, 240), **fields):
        exif = exif_for(taken=fields.pop("taken", "2022:06:21 12:00:00"), make=fields.pop("make", None),
                        model=fields.pop("model", None), lat=fields.pop("lat", None), lon=fields.pop("lon", None),
                        offset=fields.pop("offset", None))
        ifd = exif.get_ifd(EXIF_IFD)
        for tag, value in fields.pop("tags", {}).items():
            ifd[tag] = value
        path = write_photo(root / name, seed=len(name), size=size, exif=exif)
        for text in fields.values():  # a sidecar
            (root / (Path(name).stem + ".xmp")).write_text(text, encoding="utf-8")
        return path

    photo("canon.jpg", make="Canon", model="Canon EOS R5", tags={0x920A: rational(85), 0x8827: 3200})
    photo("fuji.jpg", make="FUJIFILM", model="X100V", tags={0x920A: rational(23), 0xA405: 35, 0x829D: rational(1.4)})
    photo("square.jpg", size=(300, 300), make="Apple", model="iPhone 12 Pro")
    photo("pano.jpg", size=(600, 200))
    photo("tall.jpg", size=(200, 300), sidecar=xmp('xmp:Rating="5"', bag("dc:subject", "family")))
    photo("undated.jpg", taken="0000:00:00 00:00:00")
    # Lund at 21:30 on midsummer's day: the sun about to set, 2° up; at 13:00 it is high
    photo("lund-evening.jpg", taken="2022:06:21 21:30:00", offset="+02:00", lat=55.7047, lon=13.1910)
    photo("lund-noon.jpg", taken="2022:06:21 13:00:00", offset="+02:00", lat=55.7047, lon=13.1910)
    (root / "orphan.xmp").write_text(xmp('xmp:Rating="2"'), encoding="utf-8")
    settings = load_settings(tmp_path / "home", model="tiny-test", geocoder="off")
    with Indexer(Archive(settings, create=True), embedder=tiny) as indexer:
        report = indexer.index([root])
    return settings, root, report


@pytest.fixture(scope="module")
def facts_archive(tmp_path_factory, tiny, catalog_backend):
    return build_archive(tmp_path_factory.mktemp("facts"), tiny)


def ask(settings, tiny, question):
    with Archive(settings, encoder=tiny) as archive:
        answer = Searcher(archive).run(archive.plan(question))
    return {Path(r.path).stem for r in answer.results}


@pytest.mark.parametrize("question, expected", [
    ("photos shot on the Canon", {"canon"}),
    ("with the X100V", {"fuji"}),
    ("on iPhone", {"square"}),
    ("with the 85mm", {"canon"}),
    ("street photos at 35mm", {"fuji"}),
    ("at f/1.4", {"fuji"}),
    ("photos at ISO 3200", {"canon"}),
    ("square photos", {"square"}),
    ("panoramas", {"pano"}),
    ("vertical photos", {"tall"}),
    ("rated 5 stars", {"tall"}),
    ("tagged family", {"tall"}),
    ("undated photos", {"undated"}),
    ("photos with GPS", {"lund-evening", "lund-noon"}),
    ("photos at sunset", {"lund-evening"}),
    ("photos taken in the morning", set()),
    ("photos at golden hour", {"lund-evening"}),
    # either of two facts
    ("shot on the Canon or the Fuji", {"canon", "fuji"}),
    ("photos from my iphone or the x100v", {"square", "fuji"}),
    ("with the 85mm or the 35mm", {"canon", "fuji"}),
    ("square or vertical photos", {"square", "tall"}),
    ("photos from the canon and the fuji", {"canon", "fuji"}),
    ("rated 5 stars or shot on the Canon", {"tall", "canon"}),
    ("photos at sunset or in the morning", {"lund-evening"}),
    # the photos without a position were taken at 12:00: noon by the clock
    ("photos at sunset or noon", {"lund-evening", "lund-noon", "canon", "fuji", "square", "pano", "tall"}),
    # comparisons over any quantity, negation of any fact, the clock
    ("photos over 50mm", {"canon"}),
    ("photos wider than 50mm", {"fuji"}),
    ("photos at iso 3200 or more", {"canon"}),
    ("photos under iso 3200", set()),
    ("photos at f/2 or wider", {"fuji"}),
    ("photos not shot on the canon", {"fuji", "square", "pano", "tall", "undated", "lund-evening", "lund-noon"}),
    ("photos other than the iphone ones", {"canon", "fuji", "pano", "tall", "undated", "lund-evening", "lund-noon"}),
    ("unrated photos", {"canon", "fuji", "square", "pano", "undated", "lund-evening", "lund-noon"}),
    ("photos that aren't 5 stars", {"canon", "fuji", "square", "pano", "undated", "lund-evening", "lund-noon"}),
    ("photos after 9pm", {"lund-evening"}),
    ("photos before noon", set()),
])
def test_facts_asked_in_words(facts_archive, tiny, question, expected):
    settings, _, _ = facts_archive
    assert ask(settings, tiny, question) == expected


def test_answers_are_grouped_by_what_the_files_say_and_ordered_as_asked(facts_archive, tiny):
    settings, _, _ = facts_archive
    with Archive(settings, encoder=tiny) as archive:
        searcher = Searcher(archive)
        cameras = searcher.run(archive.plan("photos grouped by camera"))
        assert [g.label for g in cameras.groups] == ["Apple iPhone 12 Pro (1 photo)", "Canon EOS R5 (1 photo)",
                                                     "FUJIFILM X100V (1 photo)"]
        by_hour = searcher.run(archive.plan("street photos by hour"))  # with words to rank by
        assert [g.label for g in by_hour.groups] == ["12:00-12:59", "13:00-13:59", "21:00-21:59"]
        assert {Path(r.path).stem for r in by_hour.groups[-1].members} == {"lund-evening"}
        weekdays = searcher.run(archive.plan("photos by day of the week"))
        assert [g.label.split(" (")[0] for g in weekdays.groups] == ["Tuesday"]  # 21 June 2022
        newest = searcher.run(archive.plan("photos with gps newest first"))
        assert [Path(r.path).stem for r in newest.results] == ["lund-evening", "lund-noon"]
        oldest = searcher.run(archive.plan("photos with gps, oldest first"))
        assert [Path(r.path).stem for r in oldest.results] == ["lund-noon", "lund-evening"]


def test_a_changed_sidecar_is_read_again_without_embedding(tmp_path, tiny):
    settings, root, report = build_archive(tmp_path, tiny)
    assert report.lonely_sidecars == [str(root / "orphan.xmp")]
    with Archive(settings) as archive:  # and `status` says so
        assert ("sidecars", "1 beside no photo in the last run (`flux-ask index --json` lists them)") in \
            status_rows(status(archive))
    sidecar = root / "tall.xmp"
    sidecar.write_text(xmp('xmp:Rating="2" xmp:Label="Green"'), encoding="utf-8")
    stamp = sidecar.stat().st_mtime_ns + 10**9
    os.utime(sidecar, ns=(stamp, stamp))
    with Indexer(Archive(settings), embedder=tiny) as indexer:
        again = indexer.index([root])
    assert again.counts["facts_read"] == 1 and again.counts["embedded"] == 0
    assert ask(settings, tiny, "green label") == {"tall"} and ask(settings, tiny, "rated 5 stars") == set()


def test_an_older_readers_catalog_is_read_again_once(tmp_path, tiny):
    settings, root, _ = build_archive(tmp_path, tiny)
    with Archive(settings) as archive:
        archive.conn.execute("UPDATE photos SET meta_version = NULL, camera_model = NULL, iso = NULL")
    with Indexer(Archive(settings), embedder=tiny) as indexer:
        again = indexer.index([root])
    assert again.counts["facts_read"] == 8 and again.counts["embedded"] == 0
    assert ask(settings, tiny, "photos at ISO 3200") == {"canon"}
    with Indexer(Archive(settings), embedder=tiny) as indexer:
        assert indexer.index([root]).counts["facts_read"] == 0


def test_copies_of_the_shared_photos_get_their_facts(tmp_path, shared_photos, tiny):
    """The shared photos' own marks: digiKam's sidecar-free tags and labels in a real file."""
    source = shared_photos / "photoprism/internal/meta/testdata/digikam.jpg"
    if not source.exists():
        pytest.skip("digikam.jpg is not in the shared photos")
    root = tmp_path / "photos"
    root.mkdir()
    shutil.copy(source, root / "digikam.jpg")
    settings = load_settings(tmp_path / "home", model="tiny-test", geocoder="off")
    with Indexer(Archive(settings, create=True), embedder=tiny) as indexer:
        indexer.index([root])
    assert ask(settings, tiny, "tagged berlin") == {"digikam"}


def test_facts_lists_what_the_archive_holds(facts_archive):
    settings, _, _ = facts_archive
    listed = subprocess.run([sys.executable, "-m", "flux_ask", "facts", "--json"], env=subprocess_env(settings.home),
                            capture_output=True, text=True, timeout=120)
    assert listed.returncode == 0, listed.stderr
    found = json.loads(listed.stdout)
    assert {"make": "Canon", "model": "Canon EOS R5", "photos": 1} in found["cameras"]
    assert found["ratings"] == [{"rating": 5, "photos": 1}] and found["keywords"] == [{"keyword": "family", "photos": 1}]
    text = subprocess.run([sys.executable, "-m", "flux_ask", "facts"], env=subprocess_env(settings.home),
                          capture_output=True, text=True, timeout=120).stdout
    assert "Canon EOS R5" in text and "Canon Canon" not in text and "keywords" in text


def test_a_moved_photos_new_sidecar_is_read(tmp_path, tiny):
    settings, root, _ = build_archive(tmp_path, tiny)
    moved = root / "elsewhere"
    moved.mkdir()
    (root / "canon.jpg").rename(moved / "canon.jpg")  # embedded already: its pixels are not read again
    (moved / "canon.xmp").write_text(xmp('xmp:Label="Purple"'), encoding="utf-8")
    with Indexer(Archive(settings), embedder=tiny) as indexer:
        again = indexer.index([root])
    assert again.counts["embedded"] == 0 and again.counts["facts_read"] == 1
    assert ask(settings, tiny, "purple label") == {"canon"}
