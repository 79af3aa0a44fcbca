"""Sans-IO SIP messages: parse lazily, validate, edit, serialize.

No sockets, no event loop, no clock here (ruff's banned-api enforces it): bytes in,
message objects and errors out, bytes back.
"""

from .address import Defect, NameAddr, parse_name_addr
from .branch import new_branch, stateless_branch
from .edits import Edits
from .errors import LocalSIPError, RemoteSIPError, SIPError
from .forwarding import (
    DEFAULT_MAX_FORWARDS,
    ReplyTarget,
    decrement_max_forwards,
    fill_received_rport,
    reply_target,
)
from .headers import COMPACT_FORMS, HeaderField, canonical_name, display_name
from .message import SIPMessage, SIPRequest, SIPResponse
from .parser import MAX_MESSAGE_SIZE, parse_message
from .scalars import CSeq, parse_cseq
from .uri import URI, AbsoluteURI, SipURI, TelURI, parse_uri
from .validate import SUPPORTED_SCHEMES, validate_request, validate_response
from .via import BRANCH_MAGIC, Via, build_via, parse_via

__all__ = [
    "BRANCH_MAGIC", "COMPACT_FORMS", "DEFAULT_MAX_FORWARDS", "MAX_MESSAGE_SIZE",
    "SUPPORTED_SCHEMES", "URI", "AbsoluteURI", "CSeq", "Defect", "Edits", "HeaderField",
    "LocalSIPError", "NameAddr", "RemoteSIPError", "ReplyTarget", "SIPError", "SIPMessage",
    "SIPRequest", "SIPResponse", "SipURI", "TelURI", "Via", "build_via", "canonical_name",
    "decrement_max_forwards", "display_name", "fill_received_rport", "new_branch",
    "parse_cseq", "parse_message", "parse_name_addr", "parse_uri", "parse_via",
    "reply_target", "stateless_branch", "validate_request", "validate_response",
]
