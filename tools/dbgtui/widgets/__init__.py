"""The panes of the debugger's main screen."""

from .eval_box import EvalBox, PVSuggester
from .message import MessageView
from .source import SourceView
from .stack import StackView
from .trace import TraceLog
from .variables import VariablesView
from .workers import WorkersList

__all__ = ["EvalBox", "MessageView", "PVSuggester", "SourceView", "StackView", "TraceLog",
           "VariablesView", "WorkersList"]
