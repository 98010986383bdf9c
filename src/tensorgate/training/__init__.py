"""tensorgate.training: ``fit`` (the training loop), ``evaluate``, ``predict``, ``History`` and callbacks."""
from .callbacks import Callback, CSVLogger, EarlyStopping, LambdaCallback, LearningRateScheduler, ModelCheckpoint
from .compiled import CompiledForward, CompiledStep, compile_step
from .divergence import LossGrowthWarning, TrainingDiverged
from .history import History
from .inference import evaluate, predict
from .loop import Trainer, fit
from .metrics import TaskAccuracy

__all__ = [
    "fit", "evaluate", "predict", "Trainer", "CompiledStep", "CompiledForward", "compile_step", "History", "Callback",
    "EarlyStopping", "ModelCheckpoint", "LearningRateScheduler", "CSVLogger", "LambdaCallback", "TaskAccuracy",
    "TrainingDiverged", "LossGrowthWarning",
]
