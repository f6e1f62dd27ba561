"""Task metrics on hand-computed cases (docs/format.md: pooled mIoU, −1 ignored, ties to the lowest index)."""
import math

import numpy as np

from mipareto import accuracy, psnr, segmentation_scores


def test_miou_pools_pixels_and_ignores_minus_one():
    labels = np.array([[[0, 1], [1, -1]]])
    predictions = np.array([[[0, 1], [0, 1]]])
    # Valid pixels (0,0) (0,1) (1,0). Class 0: pred {00, 10}, label {00}: IoU 1/2. Class 1: pred {01},
    # label {01, 10}: IoU 1/2. Class 2: empty union, left out. Correct: 00 and 01 of 3.
    miou, pixel_accuracy = segmentation_scores(predictions, labels, classes=3)
    assert miou == 0.5 and pixel_accuracy == 2 / 3


def test_miou_is_pooled_over_images_not_averaged():
    labels = np.array([[[0, 0]], [[1, 1]]])
    predictions = np.array([[[0, 1]], [[1, 1]]])
    # Pooled: class 0 ∩ 1, ∪ 2 -> 1/2; class 1 ∩ 2, ∪ 3 -> 2/3; mean 7/12. (Per image: (1/2+1/2)/2… differs.)
    miou, pixel_accuracy = segmentation_scores(predictions, labels, classes=2)
    assert math.isclose(miou, 7 / 12, rel_tol=1e-15) and pixel_accuracy == 3 / 4


def test_segmentation_from_logits():
    logits = np.zeros((1, 2, 1, 2))
    logits[0, 1, 0, 1] = 1.0        # pixel 0: tie -> class 0; pixel 1: class 1
    assert segmentation_scores(logits, np.array([[[0, 1]]]), classes=2) == (1.0, 1.0)


def test_accuracy_ties_go_to_the_lowest_index():
    logits = np.array([[1.0, 1.0, 0.0], [0.0, 2.0, 2.0]])
    assert accuracy(logits, np.array([0, 1])) == 1.0
    assert accuracy(logits, np.array([1, 2])) == 0.0


def test_psnr_over_every_element():
    target = np.zeros((2, 1, 1, 2), np.float32)
    output = np.array([0.1, 0.0, 0.0, 0.3], np.float32).reshape(2, 1, 1, 2)
    mse = (float(np.float32(0.1)) ** 2 + float(np.float32(0.3)) ** 2) / 4
    value, got_mse = psnr(output, target, peak=2.0, return_mse=True)
    assert got_mse == mse
    assert value == 10 * math.log10(4.0 / mse)
