"""ONNX converters for the CNN zoo (:mod:`tensorgate.models.zoo`): each one transcribes its model's ``forward``.

A model whose forward is its children applied in order uses :func:`chain`; the blocks with a skip or a
functional ReLU say their forward again in ONNX operators. A new zoo model gets its converter here, next to
the others (one decorated function that reads like its ``forward``).
"""
from ..models import zoo
from .graph import register_converter

__all__ = ["chain"]


def chain(ctx, module, x, *names):
    """Apply the sub-modules ``names`` of ``module`` one after another (a forward that is a composition)."""
    for name in names:
        x = ctx.convert(getattr(module, name), x, name)
    return x


@register_converter(zoo.LeNet5, zoo.SmallVGG)
def lenet_vgg(ctx, model, x):
    """classifier(flatten(features(x)))."""
    return chain(ctx, model, x, "features", "flatten", "classifier")


@register_converter(zoo.ResNetSmall)
def resnet(ctx, model, x):
    """fc(flatten(pool(stages(stem(x)))))."""
    return chain(ctx, model, x, "stem", "stages", "pool", "flatten", "fc")


@register_converter(zoo.MobileNetSmall)
def mobilenet(ctx, model, x):
    """fc(flatten(pool(blocks(stem(x)))))."""
    return chain(ctx, model, x, "stem", "blocks", "pool", "flatten", "fc")


@register_converter(zoo.BasicBlock)
def basic_block(ctx, block, x):
    """relu(bn2(conv2(relu(bn1(conv1(x))))) + shortcut(x)), the shortcut the identity when absent."""
    out = ctx.op("Relu", [chain(ctx, block, x, "conv1", "bn1")])
    out = chain(ctx, block, out, "conv2", "bn2")
    skip = x if block.shortcut is None else ctx.convert(block.shortcut, x, "shortcut")
    return ctx.op("Relu", [ctx.op("Add", [out, skip])])


@register_converter(zoo.DepthwiseSeparable)
def depthwise_separable(ctx, block, x):
    """relu(bn2(pointwise(relu(bn1(depthwise(x))))))."""
    x = ctx.op("Relu", [chain(ctx, block, x, "depthwise", "bn1")])
    return ctx.op("Relu", [chain(ctx, block, x, "pointwise", "bn2")])


# ---------------------------------------------------------------- issue 23: AlexNet, GoogLeNet, EfficientNet
@register_converter(zoo.AlexNet)
def alexnet(ctx, model, x):
    """classifier(flatten(avgpool(features(x))))."""
    return chain(ctx, model, x, "features", "avgpool", "flatten", "classifier")


@register_converter(zoo.Inception)
def inception(ctx, block, x):
    """The four branches side by side: Concat along the channels."""
    branches = [ctx.convert(getattr(block, name), x, name) for name in ("branch1", "branch2", "branch3", "branch4")]
    return ctx.op("Concat", branches, shape=None, axis=1)


@register_converter(zoo.InceptionAux)
def inception_aux(ctx, block, x):
    """fc2(dropout(relu(fc1(flatten(conv(pool(x)))))))."""
    return chain(ctx, block, x, "pool", "conv", "flatten", "fc1", "relu", "dropout", "fc2")


@register_converter(zoo.GoogLeNet)
def googlenet(ctx, model, x):
    """The evaluation-mode forward (no auxiliary classifiers): the stem, the Inception stages between pools,
    global average pooling, the classifier."""
    return chain(ctx, model, x, "stem", "pool1", "inception3a", "inception3b", "pool2", "inception4a",
                 "inception4b", "inception4c", "pool3", "inception5a", "inception5b", "avgpool", "flatten", "dropout",
                 "fc")


@register_converter(zoo.SqueezeExcitation)
def squeeze_excitation(ctx, block, x):
    """scale_activation(fc2(activation(fc1(avgpool(x))))) ⊙ x."""
    scale = chain(ctx, block, x, "avgpool", "fc1", "activation", "fc2", "scale_activation")
    return ctx.op("Mul", [x, scale])


@register_converter(zoo.MBConv)
def mbconv(ctx, block, x):
    """block(x), plus x when the shape is kept."""
    out = ctx.convert(block.block, x, "block")
    return ctx.op("Add", [out, x]) if block.use_residual else out


@register_converter(zoo.EfficientNet)
def efficientnet(ctx, model, x):
    """fc(dropout(flatten(avgpool(head(blocks(stem(x)))))))."""
    return chain(ctx, model, x, "stem", "blocks", "head", "avgpool", "flatten", "dropout", "fc")
