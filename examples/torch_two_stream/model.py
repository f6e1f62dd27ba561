"""A two-stream split network MIPareto cannot run itself: batch norm, residual blocks, a skip stream.

    image [1, 8, 16] ─ Front (device) ─┬─ s0: skip stream  [8, 8, 16]  (high resolution, shallow)
                                       └─ s1: deep stream  [16, 4, 8]  (low resolution, deep)
    (s0, s1) ─ Back (server) ─┬─ left, right: digit logits [10] each (both streams)
                              └─ recon: the image [1, 8, 16] (U-Net style: deep upsampled + skip)

The split tensors are the outputs of ReLUs, as at most split points of ResNet-like trunks.
"""
import torch
from torch import nn
from torch.nn import functional as F

SKIP_SHAPE = (8, 8, 16)
DEEP_SHAPE = (16, 4, 8)


def conv_bn(cin, cout, kernel=3, stride=1):
    return nn.Sequential(nn.Conv2d(cin, cout, kernel, stride=stride, padding=kernel // 2, bias=False),
                         nn.BatchNorm2d(cout), nn.ReLU())


class Residual(nn.Module):
    """x + BN(conv(ReLU(BN(conv(x))))), then ReLU: the basic block of ResNet."""

    def __init__(self, channels):
        super().__init__()
        self.conv1 = nn.Conv2d(channels, channels, 3, padding=1, bias=False)
        self.bn1 = nn.BatchNorm2d(channels)
        self.conv2 = nn.Conv2d(channels, channels, 3, padding=1, bias=False)
        self.bn2 = nn.BatchNorm2d(channels)

    def forward(self, x):
        return F.relu(x + self.bn2(self.conv2(F.relu(self.bn1(self.conv1(x))))))


class Front(nn.Module):
    """The device side: an image to the two split tensors (s0, s1)."""

    def __init__(self):
        super().__init__()
        self.stem = nn.Sequential(conv_bn(1, 16), Residual(16))
        self.skip = conv_bn(16, SKIP_SHAPE[0], kernel=1)
        self.down = nn.Sequential(conv_bn(16, 32, stride=2), Residual(32))
        self.deep = conv_bn(32, DEEP_SHAPE[0], kernel=1)

    def forward(self, image):
        x = self.stem(image)
        return self.skip(x), self.deep(self.down(x))


class Back(nn.Module):
    """The server side: the two split tensors to every task's output."""

    def __init__(self):
        super().__init__()
        self.expand = nn.Sequential(conv_bn(DEEP_SHAPE[0], 32, kernel=1), Residual(32))
        self.merge = nn.Sequential(conv_bn(32 + SKIP_SHAPE[0], 32), Residual(32))
        self.hidden = nn.Sequential(nn.Flatten(), nn.Linear(32 * 4 * 8, 64), nn.ReLU())
        self.left = nn.Linear(64, 10)
        self.right = nn.Linear(64, 10)
        self.decode = nn.Sequential(conv_bn(32 + SKIP_SHAPE[0], 16), nn.Conv2d(16, 1, 3, padding=1), nn.Sigmoid())

    def forward(self, s0, s1):
        deep = self.expand(s1)                                                     # [32, 4, 8]
        z = self.hidden(self.merge(torch.cat([deep, F.avg_pool2d(s0, 2)], dim=1)))
        image = self.decode(torch.cat([F.interpolate(deep, scale_factor=2, mode="nearest"), s0], dim=1))
        return {"left": self.left(z), "right": self.right(z), "recon": image}


class TwoStream(nn.Module):
    def __init__(self):
        super().__init__()
        self.front = Front()
        self.back = Back()

    def forward(self, image):
        return self.back(*self.front(image))
