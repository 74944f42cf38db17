import numpy as np
import pytest
from PIL import Image

from flux_ask.errors import RejectedFile
from flux_ask.picture.decode import _UPRIGHT, center_crop_square, decode
from tests.photos import exif_for, write_photo

BIG = 10**9


def marker_picture() -> Image.Image:
    """Upright 300x200 grey with a red block in the top-left corner."""
    image = Image.new("RGB", (300, 200), (128, 128, 128))
    image.paste((255, 0, 0), (0, 0, 60, 40))
    return image


INVERSE = {  # what a camera stores for each orientation, given the upright scene
    2: [Image.Transpose.FLIP_LEFT_RIGHT], 3: [Image.Transpose.ROTATE_180],
    4: [Image.Transpose.FLIP_TOP_BOTTOM], 5: [Image.Transpose.TRANSPOSE],
    6: [Image.Transpose.ROTATE_90], 7: [Image.Transpose.TRANSVERSE], 8: [Image.Transpose.ROTATE_270],
}


@pytest.mark.parametrize("orientation", range(1, 9))
def test_every_orientation_decodes_upright(tmp_path, orientation):
    stored = marker_picture()
    for step in INVERSE.get(orientation, []):
        stored = stored.transpose(step)
    path = write_photo(tmp_path / "o.png", fmt="PNG", image=stored, exif=exif_for(orientation=orientation))
    decoded = decode(str(path), "image", 0, min_side=64, max_pixels=BIG)
    pixels = np.asarray(decoded.image)
    assert decoded.image.size == (300, 200) and (decoded.width, decoded.height) == (300, 200)
    assert tuple(pixels[5, 5]) == (255, 0, 0), "top-left must be the red marker"
    assert tuple(pixels[195, 295]) == (128, 128, 128)


def test_inverse_table_matches_the_decoder():
    for orientation, steps in INVERSE.items():
        image = marker_picture()
        for step in steps + list(_UPRIGHT[orientation]):
            image = image.transpose(step)
        assert np.array_equal(np.asarray(image), np.asarray(marker_picture())), orientation


def test_jpeg_draft_mode_decodes_large_images_small(tmp_path):
    path = write_photo(tmp_path / "big.jpg", size=(4000, 3000))
    decoded = decode(str(path), "image", 0, min_side=256, max_pixels=BIG)
    assert decoded.image.size == (500, 375)  # 1/8 scale in the DCT, still >= 256 on each side
    assert (decoded.width, decoded.height) == (4000, 3000)


def test_a_jpeg_named_png_is_decoded_by_content(tmp_path):
    path = write_photo(tmp_path / "this-is-a-jpeg.png", fmt="JPEG")
    assert decode(str(path), "image", 0, min_side=64, max_pixels=BIG).format == "JPEG"


@pytest.mark.parametrize("make, reason", [
    (lambda p: p.write_bytes(b"not an image at all" * 10), "undecodable"),
    (lambda p: p.write_bytes(write_photo(p, size=(800, 600)).read_bytes()[:4000]), "truncated"),
])
def test_broken_files_are_rejected_with_a_reason(tmp_path, make, reason):
    path = tmp_path / "broken.jpg"
    make(path)
    with pytest.raises(RejectedFile) as caught:
        decode(str(path), "image", 0, min_side=64, max_pixels=BIG)
    assert caught.value.reason == reason


def test_decompression_bombs_are_refused_before_decoding(tmp_path):
    path = write_photo(tmp_path / "bomb.png", fmt="PNG", size=(3000, 3000))
    with pytest.raises(RejectedFile) as caught:
        decode(str(path), "image", 0, min_side=64, max_pixels=4_000_000)
    assert caught.value.reason == "decompression_bomb"


def test_unsupported_kinds_are_rejected(tmp_path):
    with pytest.raises(RejectedFile) as caught:
        decode(str(tmp_path / "x.jxl"), "unsupported", 0, min_side=64, max_pixels=BIG)
    assert caught.value.reason == "unsupported_format"


def test_sixteen_bit_greys_are_scaled_not_clipped(tmp_path):
    ramp = np.tile(np.linspace(0, 65535, 256), (64, 1)).astype(np.uint16)
    path = tmp_path / "grey16.png"
    Image.fromarray(ramp).save(path)
    rgb = np.asarray(decode(str(path), "image", 0, min_side=32, max_pixels=BIG).image)
    assert rgb.shape == (64, 256, 3) and rgb[0, 255, 0] == 255 and abs(int(rgb[0, 128, 0]) - 128) <= 1


@pytest.mark.parametrize("size", [(640, 480), (480, 640), (225, 1000), (300, 300), (101, 77)])
def test_crop_matches_open_clip_reference_transform(size):
    from torchvision.transforms import CenterCrop, InterpolationMode, Resize

    image = Image.fromarray(np.random.default_rng(1).integers(0, 256, (size[1], size[0], 3), dtype=np.uint8))
    reference = np.asarray(CenterCrop(224)(Resize(224, interpolation=InterpolationMode.BICUBIC)(image)))
    assert np.array_equal(center_crop_square(image, 224), reference)


@pytest.mark.parametrize("mode", ["1", "P", "I;16", "LA", "CMYK"])
def test_large_pictures_of_every_mode_are_reduced(tmp_path, mode):
    image = Image.new(mode, (2400, 1800))
    path = tmp_path / "large.tif"
    image.save(path)
    decoded = decode(str(path), "image", 0, min_side=256, max_pixels=BIG)
    assert decoded.image.mode == "RGB" and decoded.image.size == (800, 600)


def test_a_vanished_file_is_the_moments_fault_not_the_files(tmp_path):
    from flux_ask.errors import PASSING
    from flux_ask.ingest.worker import Task, WorkerConfig, init_worker, prepare
    from flux_ask.picture.look import Crop

    init_worker(WorkerConfig(tmp_path / "none.db", tmp_path / "thumbs", 64, Crop(32), 10**8))
    gone = prepare(Task(str(tmp_path / "gone.jpg"), "image", 100, 1))
    assert gone.reason == "vanished" and gone.reason in PASSING
    broken = tmp_path / "broken.jpg"
    broken.write_bytes(b"\xff\xd8\xff" + b"\x00" * 64)
    bad = prepare(Task(str(broken), "image", broken.stat().st_size, broken.stat().st_mtime_ns))
    assert bad.reason not in PASSING and bad.reason in ("undecodable", "truncated")


def test_a_strip_of_pixels_is_cropped_without_resizing_it_whole(tmp_path):
    """A 163-byte 1x20000 PNG resized whole to a 224 short side would take gigabytes; its
    centre crop is made from the region under it alone, in little memory."""
    import resource

    path = tmp_path / "strip.png"
    Image.new("RGB", (1, 20000), (200, 10, 10)).save(path)
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    decoded = decode(str(path), "image", 0, min_side=224, max_pixels=BIG)
    pixels = center_crop_square(decoded.image, 224)
    assert pixels.shape == (224, 224, 3) and tuple(pixels[112, 112]) == (200, 10, 10)
    assert (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before) / 1024 < 200  # MB, not gigabytes
