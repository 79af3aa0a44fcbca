"""Recursive-descent parser: tokens -> AST, collecting every syntax error in one run.

The grammar is Kamailio's, 3.1 through 5.x (reference section 1). The parser recovers at `;`,
`}` and top-level keywords, so one run reports every syntax error in a file. Operators that
Kamailio does not have (`!~`, `%`, `:=`, `+=`) are reported with the Kamailio spelling as a hint,
then parsed as their nearest meaning so the rest of the file is still checked.
"""

from __future__ import annotations

from . import ast
from .diagnostics import Diagnostic, diag
from .lexer import Lexer, T, Token
from .source import SourceMap, Span

# Binary operator levels, loosest first (reference section 1.4).
_LEVELS: list[frozenset[str]] = [
    frozenset({"||", "or"}),
    frozenset({"&&", "and"}),
    frozenset({"|"}),
    frozenset({"&"}),
    frozenset({"^"}),
    frozenset({"<<"}),
    frozenset({">>"}),
    frozenset({"==", "!=", "=~", "eq", "ne", "ieq", "ine", "!~"}),
    frozenset({"<", ">", "<=", ">="}),
    frozenset({"+", "-"}),
    frozenset({"*", "/", "mod", "%"}),
]
_PRECEDENCE = {op: level for level, ops in enumerate(_LEVELS) for op in ops}
_WORD_OPS = {"or": "||", "and": "&&"}
_WORD_OPERATORS = frozenset({"or", "and", "eq", "ne", "ieq", "ine", "mod"})
_BAD_OPS = {
    "!~": ("Kamailio has no '!~' operator", "negate a match: !($x =~ \"re\")", "=~"),
    "%": ("Kamailio has no '%' operator", "the modulo operator is the word 'mod': $x mod 3", "mod"),
}
_BOOL_WORDS = {"yes": 1, "true": 1, "on": 1, "enable": 1, "no": 0, "false": 0, "off": 0,
               "disable": 0}
_TOP_WORDS = frozenset({"loadmodule", "loadmodulex", "loadpath", "mpath", "modparam", "modparamx",
                        "cfgengine"}) | frozenset(ast.ROUTE_KINDS)
_STMT_WORDS = frozenset({"if", "else", "switch", "case", "default", "while", "break", "return",
                         "exit", "drop"})


class _Sync(Exception):
    """Raised after a syntax error is recorded; caught where parsing can resume."""


class Parser:
    def __init__(self, tokens: list[Token], smap: SourceMap) -> None:
        self.toks = tokens
        self.smap = smap
        self.text = smap.text
        self.i = 0
        self.diagnostics: list[Diagnostic] = []
        self._error_offsets: set[int] = set()
        self.loop_depth = 0
        self.switch_depth = 0
        self.lex_error_offsets: list[int] = []
        self.stmt_start = -1

    # --- token helpers ------------------------------------------------------------------------

    @property
    def tok(self) -> Token:
        return self.toks[self.i]

    def peek(self, k: int = 1) -> Token:
        j = min(self.i + k, len(self.toks) - 1)
        return self.toks[j]

    @property
    def prev(self) -> Token:
        return self.toks[self.i - 1] if self.i > 0 else self.toks[0]

    def advance(self) -> Token:
        tok = self.toks[self.i]
        if tok.kind is not T.EOF:
            self.i += 1
        return tok

    def span(self, first: Token, last: Token | None = None) -> Span:
        last = last or first
        return self.smap.span(first.start, max(last.end, first.start + 1))

    def span_from(self, first: Token) -> Span:
        """From `first` through the last consumed token."""
        return self.span(first, self.prev if self.i > 0 else first)

    def newline_before(self, idx: int) -> bool:
        if idx == 0:
            return True
        return "\n" in self.text[self.toks[idx - 1].end : self.toks[idx].start]

    # --- errors -------------------------------------------------------------------------------

    def error(self, code: str, span: Span, message: str, hint: str | None = None,
              offset: int | None = None) -> None:
        if self._near_lexical_error():
            return  # the lexer already explained this statement's problem
        key = offset if offset is not None else -1
        if key >= 0 and key in self._error_offsets:
            return  # one error per place: avoid cascades
        if key >= 0:
            self._error_offsets.add(key)
        self.diagnostics.append(diag(code, span, message, hint))

    def _near_lexical_error(self) -> bool:
        lo, hi = self.stmt_start, self.tok.end
        return any(lo <= off <= hi for off in self.lex_error_offsets)

    def fail(self, message: str, hint: str | None = None, code: str = "E120",
             tok: Token | None = None) -> _Sync:
        tok = tok or self.tok
        self.error(code, self.span(tok), message, hint, tok.start)
        return _Sync()

    def expect_op(self, op: str, what: str) -> Token:
        if self.tok.is_op(op):
            return self.advance()
        raise self.fail(f"expected '{op}' {what}, found {self.tok.describe()}")

    def expect_semicolon(self, after: str) -> None:
        if self.tok.is_op(";"):
            self.advance()
            return
        if self.tok.is_op(":=", "+=", "-="):
            return  # reported by the caller's bad-operator check
        prev = self.prev
        where = self.smap.span(max(prev.end - 1, prev.start), prev.end)
        end_span = Span(where.file, where.end_line, where.end_column, where.end_line,
                        where.end_column + 1, where.expanded_from)
        self.error("E121", end_span, f"missing ';' after {after}",
                   f"found {self.tok.describe()} next", prev.end)

    # --- recovery -----------------------------------------------------------------------------

    def sync_statement(self) -> None:
        """Skip to just after the next `;`, or to the `}` closing the current block."""
        depth = 0
        while True:
            tok = self.tok
            if tok.kind is T.EOF:
                return
            if tok.is_op("{"):
                depth += 1
            elif tok.is_op("}"):
                if depth == 0:
                    return
                depth -= 1
            elif tok.is_op(";") and depth == 0:
                self.advance()
                return
            elif depth == 0 and self._starts_route_block(self.i):
                return
            self.advance()

    def sync_top(self) -> None:
        """Skip to the next thing that can start a top-level item on a new line."""
        self.advance()
        while self.tok.kind is not T.EOF:
            if self.newline_before(self.i) and self._starts_top_item(self.i):
                return
            self.advance()

    def _starts_route_block(self, idx: int) -> bool:
        tok = self.toks[idx]
        if tok.kind is not T.ID or tok.text not in ast.ROUTE_KINDS:
            return False
        nxt = self.toks[min(idx + 1, len(self.toks) - 1)]
        return nxt.is_op("{", "[") and self.newline_before(idx)

    def _starts_top_item(self, idx: int) -> bool:
        tok = self.toks[idx]
        if tok.kind is not T.ID:
            return False
        if tok.text in _TOP_WORDS:
            return True
        nxt = self.toks[min(idx + 1, len(self.toks) - 1)]
        return nxt.is_op("=") or nxt.is_op(".")

    # --- top level ----------------------------------------------------------------------------

    def parse_config(self) -> ast.Config:
        first = self.tok
        items: list[ast.Item] = []
        while self.tok.kind is not T.EOF:
            try:
                item = self.top_item()
            except _Sync:
                self.sync_top()
                continue
            if item is not None:
                items.append(item)
        return ast.Config(self.span(first, self.prev if self.i else first), tuple(items))

    def top_item(self) -> ast.Item | None:
        tok = self.tok
        self.stmt_start = tok.start
        if tok.is_op(";"):
            self.advance()
            return None
        if tok.kind is not T.ID:
            raise self.fail(f"unexpected {tok.describe()} at top level",
                            "expected a global parameter, loadmodule, modparam or a route block")
        word = tok.text
        nxt = self.peek()
        if word in ast.ROUTE_KINDS and nxt.is_op("{", "["):
            return self.route_block()
        if word in ("loadmodule", "loadmodulex"):
            self.advance()
            path = self.string_value("after loadmodule", "loadmodule \"tm.so\"")
            self.optional_semicolon()
            return ast.LoadModule(self.span_from(tok), path)
        if word in ("loadpath", "mpath"):
            self.advance()
            if self.tok.is_op("="):
                self.advance()
            path = self.string_value(f"after {word}", f"{word} \"/usr/lib/kamailio/modules\"")
            self.optional_semicolon()
            return ast.LoadPath(self.span_from(tok), path)
        if word in ("modparam", "modparamx"):
            return self.modparam()
        if word == "cfgengine":
            self.advance()
            engine = self.string_value("after cfgengine", "cfgengine \"lua\"")
            self.optional_semicolon()
            return ast.CfgEngine(self.span_from(tok), engine)
        if nxt.is_op("=") or nxt.is_op("."):
            return self.global_param()
        if word in ast.ROUTE_KINDS:
            raise self.fail(f"expected '{{' or '[' after {word}", code="E124", tok=nxt)
        raise self.fail(f"unexpected {tok.describe()} at top level",
                        "expected a global parameter (name=value), loadmodule, modparam or a "
                        "route block")

    def optional_semicolon(self) -> None:
        if self.tok.is_op(";"):
            self.advance()

    def string_value(self, where: str, example: str) -> str:
        if self.tok.kind is not T.STRING:
            raise self.fail(f"expected a string {where}, found {self.tok.describe()}",
                            f"for example: {example}")
        parts = [self.advance().text]
        while self.tok.kind is T.STRING:
            parts.append(self.advance().text)
        return "".join(parts)

    def global_param(self) -> ast.GlobalParam:
        first = self.advance()
        name = first.text
        while self.tok.is_op("."):
            self.advance()
            if self.tok.kind is not T.ID:
                raise self.fail("expected a name after '.' in a parameter name", code="E125")
            name += "." + self.advance().text
        name_span = self.span_from(first)
        if not self.tok.is_op("="):
            raise self.fail(f"expected '=' after parameter name {name}", code="E125")
        eq = self.advance()
        value_toks: list[Token] = []
        while (self.tok.kind is not T.EOF and not self.tok.is_op(";")
               and not self.newline_before(self.i)):
            value_toks.append(self.advance())
        if not value_toks:
            raise self.fail(f"missing value for parameter {name}", code="E125", tok=eq)
        self.optional_semicolon()
        raw = self.text[value_toks[0].start : value_toks[-1].end]
        return ast.GlobalParam(self.span(first, value_toks[-1]), name, raw,
                               _typed_param_value(value_toks), name_span)

    def modparam(self) -> ast.ModParam:
        first = self.advance()
        self.expect_op("(", "after modparam")
        mtok = self.tok
        module = self.string_value("naming the module", 'modparam("tm", "fr_timer", 30000)')
        mspan = self.span_from(mtok)
        self.expect_op(",", "after the module name")
        ptok = self.tok
        param = self.string_value("naming the parameter", 'modparam("tm", "fr_timer", 30000)')
        pspan = self.span_from(ptok)
        self.expect_op(",", "after the parameter name")
        value = self.expression()
        self.expect_op(")", "to close modparam(...)")
        self.optional_semicolon()
        return ast.ModParam(self.span_from(first), module, param, value, mspan, pspan)

    def route_block(self) -> ast.RouteBlock:
        kind_tok = self.advance()
        name: str | None = None
        name_span: Span | None = None
        if self.tok.is_op("["):
            open_tok = self.advance()
            j = self.i
            while not self.toks[j].is_op("]") and self.toks[j].kind is not T.EOF:
                if self.toks[j].is_op("{", "}", ";"):
                    break
                j += 1
            if not self.toks[j].is_op("]"):
                raise self.fail(f"'[' after {kind_tok.text} is never closed", "write route[NAME]",
                                code="E124", tok=open_tok)
            inner = self.toks[self.i : j]
            if not inner:
                raise self.fail(f"missing route name in {kind_tok.text}[]", code="E124",
                                tok=self.toks[j])
            if len(inner) == 1 and inner[0].kind is T.STRING:
                name = inner[0].text
            else:
                name = self.text[inner[0].start : inner[-1].end].strip()
            name_span = self.span(inner[0], inner[-1])
            self.i = j + 1
        if not self.tok.is_op("{"):
            raise self.fail(f"expected '{{' to open {kind_tok.text}, found {self.tok.describe()}",
                            code="E124")
        label = kind_tok.text + (f"[{name}]" if name is not None else "")
        body = self.block(label)
        return ast.RouteBlock(self.span_from(kind_tok), kind_tok.text, name, body, name_span)

    # --- statements ---------------------------------------------------------------------------

    def block(self, label: str) -> ast.Block:
        open_tok = self.advance()  # '{'
        stmts: list[ast.Stmt] = []
        while True:
            tok = self.tok
            if tok.is_op("}"):
                self.advance()
                break
            if tok.kind is T.EOF or self._starts_route_block(self.i):
                before = "" if tok.kind is T.EOF else f" before {tok.text}"
                self.error("E122", self.span(open_tok),
                           f"'{{' of {label} opened here is never closed{before}",
                           "add the missing '}'", open_tok.start)
                break
            try:
                stmt = self.statement()
            except _Sync:
                self.sync_statement()
                continue
            if stmt is not None:
                stmts.append(stmt)
        return ast.Block(self.span_from(open_tok), tuple(stmts))

    def statement(self) -> ast.Stmt | None:
        tok = self.tok
        self.stmt_start = tok.start
        if tok.is_op("{"):
            return self.block("block")
        if tok.is_op(";"):
            self.advance()
            return None
        if tok.kind is T.PVAR:
            return self.assignment()
        if tok.kind is not T.ID:
            raise self.fail(f"unexpected {tok.describe()}: expected a statement")
        word = tok.text
        nxt = self.peek()
        if word == "if" and nxt.is_op("("):
            return self.if_stmt()
        if word == "switch" and nxt.is_op("("):
            return self.switch_stmt()
        if word == "while" and nxt.is_op("("):
            return self.while_stmt()
        if word == "break":
            self.advance()
            if self.loop_depth == 0 and self.switch_depth == 0:
                self.error("E126", self.span(tok), "'break' outside switch or while",
                           "use return or exit to leave a route", tok.start)
            self.expect_semicolon("break")
            return ast.BreakStmt(self.span(tok))
        if word == "return":
            self.advance()
            value = self.expression() if self.value_follows() else None
            self.expect_semicolon("return")
            return ast.ReturnStmt(self.span_from(tok), value)
        if word in ("exit", "drop"):
            self.advance()
            if self.tok.is_op("(") and self.peek().is_op(")"):
                self.advance()
                self.advance()
            elif self.value_follows():
                self.expression()  # Kamailio accepts and ignores a value here
            self.expect_semicolon(word)
            node_cls = ast.ExitStmt if word == "exit" else ast.DropStmt
            return node_cls(self.span_from(tok))
        if word in ("else", "case", "default"):
            raise self.fail(f"'{word}' without a matching "
                            f"{'if' if word == 'else' else 'switch'}")
        if nxt.is_op("="):
            raise self.fail(f"cannot assign to '{word}': the left side of '=' must be a "
                            "pseudo-variable", f"for example $var({word}) = ...")
        call = self.call(tok)
        self.expect_semicolon(f"{call.name}(...)" if call.parens else call.name)
        return ast.CallStmt(call.span, call)

    def value_follows(self) -> bool:
        """After return/exit/drop: is there a value on the same line before the ';'?"""
        tok = self.tok
        if tok.is_op(";", "}") or tok.kind is T.EOF or self.newline_before(self.i):
            return False
        return not (tok.kind is T.ID and tok.text in _STMT_WORDS)

    def call(self, name_tok: Token) -> ast.Call:
        self.advance()
        name_span = self.span(name_tok)
        if not self.tok.is_op("("):
            if self.tok.is_op(";"):
                return ast.Call(name_span, name_tok.text, (), name_span, parens=False)
            raise self.fail(f"expected '(' after {name_tok.text}, found {self.tok.describe()}",
                            f"a function call looks like {name_tok.text}(...);")
        open_tok = self.advance()
        args: list[ast.Expr] = []
        if self.tok.is_op(";", "{", "}") or self.tok.kind is T.EOF:
            self.error("E122", self.span(open_tok), f"'(' of {name_tok.text}(...) is never closed",
                       "add the ')'", open_tok.start)
            raise _Sync()
        if not self.tok.is_op(")"):
            while True:
                args.append(self.argument())
                if self.tok.is_op(","):
                    self.advance()
                    continue
                if self.tok.is_op(")"):
                    break
                if self.tok.kind is T.EOF or self.tok.is_op(";", "{", "}"):
                    self.error("E122", self.span(open_tok),
                               f"'(' of {name_tok.text}(...) is never closed", "add the ')'",
                               open_tok.start)
                    raise _Sync()
                raise self.fail(f"expected ',' or ')' in the arguments of {name_tok.text}, "
                                f"found {self.tok.describe()}")
        self.advance()  # ')'
        return ast.Call(self.span_from(name_tok), name_tok.text, tuple(args), name_span)

    def argument(self) -> ast.Expr:
        """An expression, or an address such as `udp:1.2.3.4:5060` / `uri:host` / a hostname."""
        start_i = self.i
        first = self.tok
        if first.kind in (T.ID, T.IPV4, T.NUMBER) and (
            self.peek().is_op(":") or (first.kind is T.ID and self.peek().is_op("."))
        ):
            return self.raw_address()
        mark = len(self.diagnostics)
        try:
            value = self.expression()
        except _Sync:
            value = None
        if value is not None and self.tok.is_op(",", ")"):
            return value
        if first.kind in (T.ID, T.IPV4) and len(self.diagnostics) == mark:
            self.i = start_i
            return self.raw_address()
        if value is None:
            raise _Sync()
        return value

    def raw_address(self) -> ast.NetLit:
        first = self.tok
        depth = 0
        while self.tok.kind is not T.EOF:
            if self.tok.is_op("(", "["):
                depth += 1
            elif self.tok.is_op(")", "]"):
                if depth == 0:
                    break
                depth -= 1
            elif self.tok.is_op(",", ";") and depth == 0:
                break
            self.advance()
        return ast.NetLit(self.span_from(first), self.text[first.start : self.prev.end])

    def assignment(self) -> ast.AssignStmt:
        target_tok = self.advance()
        target = ast.PVar(self.span(target_tok), target_tok.text)
        op = self.tok
        if op.is_op(":=", "+=", "-="):
            hint = ("Kamailio assigns with '='" if op.text == ":=" else
                    f"write {target_tok.text} = {target_tok.text} {op.text[0]} value")
            self.error("E123", self.span(op), f"Kamailio has no '{op.text}' operator", hint,
                       op.start)
        elif not op.is_op("="):
            raise self.fail(f"expected '=' after {target_tok.text}, found {op.describe()}",
                            "a statement starting with a pseudo-variable is an assignment")
        self.advance()
        value = self.expression()
        if op.text in ("+=", "-="):
            value = ast.BinOp(value.span, op.text[0], target, value)
        self.expect_semicolon("the assignment")
        return ast.AssignStmt(self.span_from(target_tok), target, value)

    def if_stmt(self) -> ast.IfStmt:
        first = self.advance()
        cond = self.condition("if")
        then = self.statement_or_empty()
        orelse = None
        if self.tok.is_word("else"):
            self.advance()
            orelse = self.statement_or_empty()
        return ast.IfStmt(self.span_from(first), cond, then, orelse)

    def statement_or_empty(self) -> ast.Stmt:
        start = self.tok
        try:
            stmt = self.statement()
        except _Sync:
            self.sync_statement()
            stmt = None
        return stmt if stmt is not None else ast.Block(self.span(start), ())

    def condition(self, keyword: str) -> ast.Expr:
        open_tok = self.expect_op("(", f"after {keyword}")
        cond = self.expression()
        if not self.tok.is_op(")"):
            if self.tok.is_op("{", ";") or self.tok.kind is T.EOF:
                self.error("E122", self.span(open_tok),
                           f"'(' of the {keyword} condition is never closed", "add the ')'",
                           open_tok.start)
                raise _Sync()
            raise self.fail(f"expected ')' to close the {keyword} condition, found "
                            f"{self.tok.describe()}")
        self.advance()
        return cond

    def while_stmt(self) -> ast.WhileStmt:
        first = self.advance()
        cond = self.condition("while")
        self.loop_depth += 1
        try:
            body = self.statement_or_empty()
        finally:
            self.loop_depth -= 1
        return ast.WhileStmt(self.span_from(first), cond, body)

    def switch_stmt(self) -> ast.SwitchStmt:
        first = self.advance()
        subject = self.condition("switch")
        if not self.tok.is_op("{"):
            raise self.fail(f"expected '{{' after switch(...), found {self.tok.describe()}")
        open_tok = self.advance()
        cases: list[ast.Case] = []
        self.switch_depth += 1
        try:
            while True:
                tok = self.tok
                if tok.is_op("}"):
                    self.advance()
                    break
                if tok.kind is T.EOF or self._starts_route_block(self.i):
                    self.error("E122", self.span(open_tok),
                               "'{' of switch opened here is never closed", "add the missing '}'",
                               open_tok.start)
                    break
                try:
                    cases.append(self.case())
                except _Sync:
                    self.sync_statement()
        finally:
            self.switch_depth -= 1
        return ast.SwitchStmt(self.span_from(first), subject, tuple(cases))

    def case(self) -> ast.Case:
        first = self.tok
        value: ast.Expr | None = None
        regex = False
        if first.is_word("default"):
            self.advance()
        elif first.is_word("case"):
            self.advance()
            if self.tok.is_op("/"):
                self.advance()
                regex = True
            value = self.expression()
        else:
            raise self.fail(f"expected 'case' or 'default' in switch, found {first.describe()}")
        if not self.tok.is_op(":"):
            raise self.fail(f"expected ':' after the case label, found {self.tok.describe()}")
        self.advance()
        body: list[ast.Stmt] = []
        while not (self.tok.is_word("case", "default") or self.tok.is_op("}")
                   or self.tok.kind is T.EOF or self._starts_route_block(self.i)):
            try:
                stmt = self.statement()
            except _Sync:
                self.sync_statement()
                continue
            if stmt is not None:
                body.append(stmt)
        return ast.Case(self.span_from(first), value, regex, tuple(body))

    # --- expressions --------------------------------------------------------------------------

    def expression(self) -> ast.Expr:
        return self.binary(0)

    def binary(self, min_prec: int) -> ast.Expr:
        """Precedence climbing over _PRECEDENCE: one loop per level actually used, instead of
        one recursive call per level for every operand (11 levels made parsing slow)."""
        first = self.tok
        left = self.unary()
        while True:
            tok = self.tok
            prec = _PRECEDENCE.get(tok.text) if tok.kind in (T.OP, T.ID) else None
            if prec is None or prec < min_prec:
                return left
            if tok.kind is T.ID and tok.text not in _WORD_OPERATORS:
                return left
            op_tok = self.advance()
            op = op_tok.text
            negate = False
            if op in _BAD_OPS:
                message, hint, op_as = _BAD_OPS[op]
                self.error("E123", self.span(op_tok), message, hint, op_tok.start)
                negate = op == "!~"
                op = op_as
            right = self.binary(prec + 1)
            node: ast.Expr = ast.BinOp(self.span_from(first), _WORD_OPS.get(op, op), left, right)
            if negate:
                node = ast.UnOp(node.span, "!", node)
            left = node

    def unary(self) -> ast.Expr:
        tok = self.tok
        if tok.is_op("!") or tok.is_word("not"):
            self.advance()
            operand = self.unary()
            return ast.UnOp(self.span_from(tok), "!", operand)
        if tok.is_op("-"):
            self.advance()
            operand = self.unary()
            if isinstance(operand, ast.IntLit):
                return ast.IntLit(self.span_from(tok), -operand.value)
            return ast.UnOp(self.span_from(tok), "-", operand)
        if tok.is_op("~"):
            self.advance()
            return ast.UnOp(self.span_from(tok), "~", self.unary())
        if tok.is_word("defined"):
            self.advance()
            return ast.UnOp(self.span_from(tok), "defined", self.unary())
        return self.cast()

    def cast(self) -> ast.Expr:
        tok = self.tok
        if tok.is_op("(") and self.peek().is_word("int", "str") and self.peek(2).is_op(")"):
            self.advance()
            to = self.advance().text
            self.advance()
            return ast.Cast(self.span_from(tok), to, self.unary())
        return self.primary()

    def primary(self) -> ast.Expr:
        tok = self.tok
        kind = tok.kind
        if kind is T.NUMBER:
            self.advance()
            return ast.IntLit(self.span(tok), int(tok.text))
        if kind is T.STRING:
            parts = [self.advance().text]
            while self.tok.kind is T.STRING:
                parts.append(self.advance().text)  # adjacent strings concatenate
            return ast.StrLit(self.span_from(tok), "".join(parts))
        if kind is T.PVAR:
            self.advance()
            return ast.PVar(self.span(tok), tok.text)
        if kind is T.SELECT:
            self.advance()
            return ast.Select(self.span(tok), tok.text)
        if kind is T.IPV4:
            self.advance()
            if self.tok.is_op("/") and self.peek().kind in (T.NUMBER, T.IPV4):
                self.advance()
                self.advance()
            return ast.NetLit(self.span_from(tok), self.text[tok.start : self.prev.end])
        if tok.is_op("["):
            return self.ipv6()
        if tok.is_op("("):
            self.advance()
            inner = self.expression()
            if not self.tok.is_op(")"):
                if self.tok.is_op("{", ";") or self.tok.kind is T.EOF:
                    self.error("E122", self.span(tok), "'(' is never closed", "add the ')'",
                               tok.start)
                    raise _Sync()
                raise self.fail(f"expected ')' to close '(', found {self.tok.describe()}")
            self.advance()
            return inner
        if kind is T.ID:
            return self.word()
        if tok.is_op(":=", "+=", "-="):
            raise self.fail(f"Kamailio has no '{tok.text}' operator", "assign with '='", "E123")
        if kind is T.EOF:
            raise self.fail("expected an expression, found end of file")
        raise self.fail(f"expected an expression, found {tok.describe()}")

    def word(self) -> ast.Expr:
        tok = self.advance()
        word = tok.text
        if self.tok.is_op("("):
            if word in ("strlen", "strempty"):
                self.advance()
                operand = self.expression()
                self.expect_op(")", f"to close {word}(...)")
                return ast.UnOp(self.span_from(tok), word, operand)
            self.i -= 1
            return self.call(tok)
        if word == "msg" and self.tok.is_op(":") and self.peek().is_word("len"):
            self.advance()
            self.advance()
            return ast.Ident(self.span_from(tok), "msg:len")
        if word in _BOOL_WORDS:
            return ast.IntLit(self.span(tok), _BOOL_WORDS[word])
        return ast.Ident(self.span(tok), word)

    def ipv6(self) -> ast.NetLit:
        first = self.advance()
        while not self.tok.is_op("]"):
            if self.tok.kind is T.EOF or self.tok.is_op(";", ")", "{"):
                raise self.fail("'[' of an IPv6 address is never closed", code="E122", tok=first)
            self.advance()
        self.advance()
        if self.tok.is_op("/") and self.peek().kind is T.NUMBER:
            self.advance()
            self.advance()
        return ast.NetLit(self.span_from(first), self.text[first.start : self.prev.end])


def _typed_param_value(toks: list[Token]) -> int | str | None:
    """The value of a global parameter when it is a plain number, string or yes/no word."""
    if all(t.kind is T.STRING for t in toks):
        return "".join(t.text for t in toks)
    if len(toks) == 1:
        tok = toks[0]
        if tok.kind is T.NUMBER:
            return int(tok.text)
        if tok.kind is T.ID and tok.text in _BOOL_WORDS:
            return _BOOL_WORDS[tok.text]
    if len(toks) == 2 and toks[0].is_op("-") and toks[1].kind is T.NUMBER:
        return -int(toks[1].text)
    return None


def parse(smap: SourceMap) -> tuple[ast.Config, list[Diagnostic]]:
    """Parse preprocessed text (with its source map) into a Config and syntax diagnostics."""
    lexer = Lexer(smap)
    tokens = lexer.tokens()
    parser = Parser(tokens, smap)
    parser.lex_error_offsets = lexer.error_offsets
    config = parser.parse_config()
    return config, lexer.diagnostics + parser.diagnostics


def parse_text(text: str, file: str = "<string>") -> tuple[ast.Config, list[Diagnostic]]:
    """Parse text that needs no preprocessing (tests, snippets)."""
    return parse(SourceMap.identity(text, file))

