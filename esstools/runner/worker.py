"""Execute and render notebooks for ``esstools run``: ``python -m esstools.runner.worker PARENT_PID``.

One worker per parallel slot runs jobs one after the other, so papermill, nbconvert
and the HTML templates are loaded once per slot, not once per notebook. Each job gets
a fresh kernel (started with the job's directory and environment), the file-access
trace of :mod:`esstools.runner.trace`, a time limit for the whole notebook (each cell
gets what is left, bounded by ``cell_timeout``), and a clear record when the kernel
dies or the time runs out: an error output on the cell that was running, which the
HTML report shows and :func:`failing_cell` finds.

Protocol, one JSON object per line. stdin: ``{"cmd": "run", "job": {...}}`` or
``{"cmd": "exit"}``. stdout: ``ready``, then per job ``kernel`` (pid), ``progress``
(after each cell), ``executed`` (before rendering) and ``end`` (status, error, io).
Everything else the libraries print goes to stderr (the worker's log).

The worker dies with its parent (``PR_SET_PDEATHSIG``) and kills its kernel on SIGTERM.
"""

from __future__ import annotations

import ast
import faulthandler
import json
import logging
import os
import signal
import sys
import threading
import time
from pathlib import Path

from . import environment, trace

_events = sys.stdout
_kernel_pid: int | None = None
PRINT_CSS = """
@page { size: A4; margin: 16mm 14mm 18mm 14mm; }
@media print {
  body { font-size: 10pt; }
  .jp-Cell, .jp-OutputArea-output, .jp-RenderedHTMLCommon { overflow: visible !important; }
  .jp-OutputArea-output pre { white-space: pre-wrap !important; word-break: normal !important; overflow-wrap: anywhere !important; }
  table { max-width: 100%; font-size: 8.5pt; }
  thead { display: table-header-group; }
  tfoot { display: table-footer-group; }
  tr, img, svg, figure { break-inside: avoid; page-break-inside: avoid; }
  h1, h2, h3, h4, caption { break-after: avoid; page-break-after: avoid; }
  img { max-width: 100% !important; height: auto; }
}
"""
# The JupyterLab template without its CDN scripts (require.js, MathJax, Mermaid: the reports
# use none of them, and opening a report must not touch the network), plus the print rules.
TEMPLATE = (
    "{%- extends 'lab/index.html.j2' -%}\n"
    "{%- block html_head_js_requirejs -%}{%- endblock html_head_js_requirejs -%}\n"
    "{%- block html_head_js_mathjax -%}{%- endblock html_head_js_mathjax -%}\n"
    "{%- block html_head_js_mermaidjs -%}{%- endblock html_head_js_mermaidjs -%}\n"
    "{% block extra_css %}<style id='esstools-print'>" + PRINT_CSS + "</style>{% endblock extra_css %}\n"
)


def emit(**event) -> None:
    _events.write(json.dumps(event, default=str) + "\n")
    _events.flush()


def _die_with_parent(parent: int) -> None:
    """Ask Linux to send SIGTERM when the parent dies (no-op elsewhere)."""
    try:
        import ctypes

        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG
    except Exception:
        pass
    if os.getppid() != parent:  # parent already gone
        os._exit(1)


def _on_term(signum, frame) -> None:
    if _kernel_pid:
        try:
            os.killpg(_kernel_pid, signal.SIGKILL)
        except OSError:
            pass
    os._exit(128 + signum)


def _abort_output(kind: str, message: str):
    import nbformat

    return nbformat.v4.new_output("error", ename=kind, evalue=message, traceback=[f"{kind}: {message}"])


def _make_client_class():
    from nbclient.exceptions import CellExecutionError, CellTimeoutError, DeadKernelError
    from papermill.clientwrap import PapermillNotebookClient

    class Client(PapermillNotebookClient):
        """papermill's client with the trace, per-notebook deadline, progress and abort records."""

        ctx: dict = {}
        io: dict | None = None
        aborted: str | None = None

        def execute(self, **kwargs):
            self.reset_execution_trackers()
            with self.setup_kernel(**kwargs):
                self._silent(trace.install_code())
                self.papermill_execute_cells()
                if self.aborted is None:
                    reply = self._silent("", {"io": trace.REPORT_EXPRESSION})
                    data = reply["content"].get("user_expressions", {}).get("io", {}).get("data", {})
                    if "text/plain" in data:
                        self.io = json.loads(ast.literal_eval(data["text/plain"]))
                    info = self.wait_for_reply(self.kc.kernel_info())
                    self.nb.metadata["language_info"] = info["content"]["language_info"]
                self.set_widgets_metadata()
            return self.nb

        def _silent(self, code: str, expressions: dict | None = None) -> dict:
            msg_id = self.kc.execute(code, silent=True, store_history=False, user_expressions=expressions or {})
            return self.wait_for_reply(msg_id)

        def papermill_execute_cells(self):
            total = len(self.nb.cells)
            for index, cell in enumerate(self.nb.cells):
                try:
                    self.nb_man.cell_start(cell, index)
                    self.execute_cell(cell, index)
                except CellExecutionError as ex:
                    self.nb_man.cell_exception(self.nb.cells[index], cell_index=index, exception=ex)
                    break
                except (CellTimeoutError, DeadKernelError) as ex:
                    self.aborted = self._abort(cell, ex)
                    self.nb_man.cell_exception(self.nb.cells[index], cell_index=index, exception=ex)
                    break
                finally:
                    self.nb_man.cell_complete(self.nb.cells[index], cell_index=index)
                    emit(event="progress", run_id=self.ctx["run_id"], done=index + 1, total=total)

        def _abort(self, cell, ex) -> str:
            if isinstance(ex, CellTimeoutError):
                limit = self.ctx["timeout"]
                if self.ctx["deadline"] - time.monotonic() <= 1:
                    msg = (f"délai dépassé : le notebook a dépassé sa limite de {limit:g} s "
                           "(option --timeout ou 'timeout:' dans reports.yml) ; cette cellule a été arrêtée.")
                else:
                    msg = (f"délai dépassé : cette cellule a dépassé sa limite de {self.ctx['cell_timeout']:g} s "
                           "(option 'cell_timeout:' dans reports.yml).")
                kind = "TimeoutError"
            else:
                code = None
                try:
                    code = self.km.provisioner.process.poll()
                except Exception:
                    pass
                msg = ("le noyau Python s'est arrêté pendant l'exécution de cette cellule"
                       + (f" (code de sortie {code})" if code is not None else "")
                       + " : arrêt brutal (os._exit, mémoire épuisée, bibliothèque native…).")
                kind = "DeadKernelError"
            cell.setdefault("outputs", []).append(_abort_output(kind, msg))
            return kind

    return Client


def _make_engine(client_class):
    from papermill.engines import NBClientEngine
    from papermill.utils import merge_kwargs, remove_args

    class Engine(NBClientEngine):
        """Runs the notebook on the kernel the worker started; saves the notebook at most every 10 s."""

        @classmethod
        def execute_managed_notebook(cls, nb_man, kernel_name, log_output=False, stdout_file=None,
                                     stderr_file=None, start_timeout=60, execution_timeout=None, **kwargs):
            ctx = kwargs.pop("esstools_ctx")
            kwargs = remove_args(["input_path", "timeout", "startup_timeout"], **kwargs)
            final = merge_kwargs(kwargs, timeout=execution_timeout, startup_timeout=start_timeout,
                                 kernel_name=kernel_name, log=logging.getLogger("papermill"),
                                 log_output=log_output, stdout_file=stdout_file, stderr_file=stderr_file)
            deadline = ctx["deadline"]
            cell_limit = ctx["cell_timeout"]

            def timeout_func(cell):
                return max(1.0, min(cell_limit, deadline - time.monotonic()))

            client = client_class(nb_man, timeout_func=timeout_func, **final)
            client.ctx = ctx
            original_save, last = nb_man.save, [0.0]

            def throttled_save(**kw):
                if time.monotonic() - last[0] >= 10:
                    last[0] = time.monotonic()
                    original_save(**kw)

            nb_man.save = throttled_save
            try:
                client.execute()
            finally:
                nb_man.save = original_save
                ctx["client"] = client
                if client.kc is not None:
                    client.kc.stop_channels()
            return nb_man.nb

    return Engine


def title_of(cells: list, default: str) -> str:
    """First Markdown heading of a notebook's cells (``# Titre`` → ``Titre``), or ``default``."""
    for cell in cells:
        if cell.get("cell_type") == "markdown":
            source = cell.get("source", "")
            for line in ("".join(source) if isinstance(source, list) else source).splitlines():
                if line.startswith("#"):
                    return line.lstrip("#").strip()
    return default


def render_html(ipynb_path: Path, html_path: Path, show_code: bool = False, exporter=None) -> None:
    """Render an executed notebook to standalone HTML (images embedded, code hidden unless
    ``show_code``, print CSS for A4), atomically."""
    import nbformat

    from ..atomic import write_text

    exporter = exporter or new_exporter()
    nb = nbformat.read(ipynb_path, as_version=4)
    exporter.exclude_input = not show_code
    title = title_of(nb.cells, Path(ipynb_path).stem)
    body, _ = exporter.from_notebook_node(nb, resources={"metadata": {"name": title}})
    write_text(html_path, body)


def new_exporter():
    """One nbconvert exporter (lab template, prompts hidden); reused for every report of a worker."""
    import jinja2
    from nbconvert import HTMLExporter

    exporter = HTMLExporter(template_name="lab", extra_loaders=[jinja2.DictLoader({"esstools.html.j2": TEMPLATE})],
                            template_file="esstools.html.j2")
    exporter.exclude_input_prompt = True
    exporter.exclude_output_prompt = True
    return exporter


def imported_modules(notebook: Path) -> list[tuple[str, list[str]]]:
    """Modules imported at the top level of a notebook's code cells: ``[(module, [names])]``.

    ``import a.b`` gives ``("a.b", [])``, ``from a import b, c`` gives ``("a", ["b", "c"])``;
    IPython magics are skipped; relative and ``__future__`` imports are left out.
    """
    import ast

    nb = json.loads(Path(notebook).read_text(encoding="utf-8"))
    found: list[tuple[str, list[str]]] = []
    for cell in nb.get("cells", []):
        if cell.get("cell_type") != "code" or "parameters" in cell.get("metadata", {}).get("tags", []):
            continue
        source = cell.get("source", "")
        source = "".join(source) if isinstance(source, list) else source
        lines = [ln for ln in source.splitlines() if not ln.lstrip().startswith(("%", "!"))]
        try:
            tree = ast.parse("\n".join(lines))
        except SyntaxError:
            continue
        for node in tree.body:
            if isinstance(node, ast.Import):
                found += [(a.name, []) for a in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module and not node.level and node.module != "__future__":
                found.append((node.module, [a.name for a in node.names if a.name != "*"]))
    return found


PREIMPORT = """
import importlib as _il
for _m, _names in {modules!r}:
    try:
        _mod = _il.import_module(_m)
    except Exception:
        continue
    for _n in _names:
        if not hasattr(_mod, _n):
            try:
                _il.import_module(_m + "." + _n)
            except Exception:
                pass
del _il
"""


def failing_cell(ipynb_path: Path) -> dict:
    """Position (1-based, in the source notebook), execution count and error of the first failed cell.

    Cells added by papermill (error banner, injected parameters) are not counted, so the
    position matches what the author sees in the notebook.
    """
    import nbformat

    nb = nbformat.read(ipynb_path, as_version=4)
    added = {"injected-parameters", "papermill-error-cell-tag"}
    original = [c for c in nb.cells if not added & set(c.get("metadata", {}).get("tags", []))]
    for i, cell in enumerate(original, start=1):
        for out in cell.get("outputs", []):
            if out.get("output_type") == "error":
                return {
                    "cell": i,
                    "execution_count": cell.get("execution_count"),
                    "ename": out.get("ename"),
                    "evalue": str(out.get("evalue"))[:500],
                    "source": cell.get("source", "")[:200],
                }
    return {}


class Worker:
    """Runs jobs in this process: one exporter, one engine, a fresh kernel per job."""

    def __init__(self):
        environment.skip_slow_imports()
        import papermill  # noqa: F401  (imported once, here)
        from papermill.engines import papermill_engines

        logging.getLogger("papermill").setLevel(logging.WARNING)
        logging.getLogger("traitlets").setLevel(logging.ERROR)
        papermill_engines.register("esstools", _make_engine(_make_client_class()))
        self.exporter = new_exporter()
        self.prepared: tuple[str, object] | None = None
        # compile the HTML templates while the first kernel starts (the exporter is used after join())
        self.warming = threading.Thread(target=self._warm, daemon=True)
        self.warming.start()

    def _warm(self) -> None:
        import nbformat

        try:
            self.exporter.from_notebook_node(nbformat.v4.new_notebook(cells=[nbformat.v4.new_markdown_cell("# x")]))
        except Exception:  # a real render will report the problem
            pass

    def prepare(self, job: dict) -> None:
        """Start the kernel of a job that cannot run yet and import its notebook's modules.

        Used for the assessment while stage 1 finishes: the trace is installed first (files
        read by imports are recorded), then the modules the notebook imports at top level are
        imported silently; nothing is bound in the notebook's namespace. Import errors are
        ignored here: the notebook's own cell reports them.
        """
        from jupyter_core.utils import run_sync

        self.discard()
        km = self.start_kernel(job)
        self.prepared = (job["run_id"], km)
        code = trace.install_code() + PREIMPORT.format(modules=imported_modules(Path(job["notebook"])))

        async def prime():
            kc = km.client()
            kc.start_channels()
            try:
                await kc.wait_for_ready(timeout=120)
                msg_id = kc.execute(code, silent=True, store_history=False)
                while True:
                    reply = await kc.get_shell_msg(timeout=600)
                    if reply["parent_header"].get("msg_id") == msg_id:
                        return
            finally:
                kc.stop_channels()

        try:
            run_sync(prime)()
        except Exception as exc:  # the job will start a fresh kernel
            print(f"prepare {job['run_id']}: {type(exc).__name__}: {exc}", file=sys.stderr)
            self.discard()
        emit(event="prepared", run_id=job["run_id"])

    def discard(self) -> None:
        """Shut down a prepared kernel that will not be used."""
        if self.prepared is not None:
            self.stop_kernel(self.prepared[1], now=True)
            self.prepared = None

    def start_kernel(self, job: dict):
        # nbclient drives the kernel through asyncio: its manager (hence client) must be the async one
        from jupyter_client.manager import AsyncKernelManager
        from jupyter_core.utils import run_sync

        global _kernel_pid
        km = AsyncKernelManager(kernel_name=job["kernel"])
        env = dict(os.environ)
        env.update(job.get("env", {}))
        run_sync(km.start_kernel)(cwd=job["cwd"], env=env)
        try:
            _kernel_pid = km.provisioner.process.pid
        except AttributeError:
            _kernel_pid = None
        emit(event="kernel", run_id=job["run_id"], pid=_kernel_pid)
        return km

    @staticmethod
    def stop_kernel(km, now: bool) -> None:
        from jupyter_core.utils import run_sync

        global _kernel_pid
        try:
            if run_sync(km.is_alive)():
                run_sync(km.shutdown_kernel)(now=now)
        except Exception:
            pass
        if _kernel_pid:
            try:
                os.killpg(_kernel_pid, signal.SIGKILL)
            except OSError:
                pass
        _kernel_pid = None

    def run(self, job: dict) -> dict:
        global _kernel_pid
        import papermill as pm
        from papermill.exceptions import PapermillExecutionError

        run_id = job["run_id"]
        out_ipynb, out_html = Path(job["output_ipynb"]), Path(job["output_html"])
        timings: dict[str, float] = {}
        t0 = time.monotonic()
        ctx = {"run_id": run_id, "timeout": job["timeout"], "cell_timeout": job.get("cell_timeout") or job["timeout"],
               "deadline": t0 + job["timeout"]}
        status, error = "ok", {}
        km = None
        try:
            if self.prepared is not None and self.prepared[0] == run_id:
                km, self.prepared = self.prepared[1], None
                _kernel_pid = getattr(getattr(km.provisioner, "process", None), "pid", None)
                timings["prepared"] = 1.0
            else:
                self.discard()
                km = self.start_kernel(job)
            timings["kernel_start"] = time.monotonic() - t0
            pm.execute_notebook(
                job["notebook"], str(out_ipynb), parameters=job["parameters"], kernel_name=job["kernel"],
                engine_name="esstools", progress_bar=False, cwd=job["cwd"], start_timeout=120,
                execution_timeout=ctx["cell_timeout"], km=km, esstools_ctx=ctx,
            )
        except PapermillExecutionError as exc:
            status = "failed"
            error = failing_cell(out_ipynb) or {"ename": exc.ename, "evalue": str(exc.evalue)[:500]}
            error.setdefault("execution_count", exc.exec_count)
        except Exception as exc:  # kernel failed to start, notebook unreadable...
            status = "failed"
            error = {"ename": type(exc).__name__, "evalue": str(exc)[:500]}
        finally:
            if km is not None:
                client = ctx.get("client")
                self.stop_kernel(km, now=bool(client is None or client.aborted))
        timings["execute"] = time.monotonic() - t0 - timings.get("kernel_start", 0)
        client = ctx.get("client")
        io = client.io if (client is not None and status == "ok") else None
        emit(event="executed", run_id=run_id, status=status)
        t1 = time.monotonic()
        self.warming.join()
        if out_ipynb.exists():
            try:
                render_html(out_ipynb, out_html, show_code=job.get("show_code", False), exporter=self.exporter)
            except Exception as exc:
                status = "failed"
                error = error or {"ename": "RenderError", "evalue": f"{type(exc).__name__}: {exc}"[:500]}
        timings["render"] = time.monotonic() - t1
        classified = None
        if io is not None:
            classified = trace.classify(io, Path(job["staging"]), Path(__file__).resolve().parents[1],
                                        extra_ignored=[Path(job["notebook"])])
        return {"status": status, "error": error, "io": classified, "timings": timings}


def main(argv: list[str] | None = None) -> int:
    global _events
    argv = sys.argv[1:] if argv is None else argv
    _die_with_parent(int(argv[0]))
    signal.signal(signal.SIGTERM, _on_term)
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the parent decides; it stops us with SIGTERM/SIGKILL
    faulthandler.register(signal.SIGUSR1, all_threads=True)  # `kill -USR1 <worker>`: stacks into the log
    # events go to the original stdout; anything printed by libraries goes to stderr (the log)
    _events = os.fdopen(os.dup(1), "w", encoding="utf-8")
    os.dup2(2, 1)
    sys.stdout = sys.stderr
    worker = Worker()
    emit(event="ready", pid=os.getpid())
    for line in sys.stdin:
        if not line.strip():
            continue
        cmd = json.loads(line)
        if cmd.get("cmd") == "exit":
            break
        job = cmd["job"]
        if cmd.get("cmd") == "prepare":
            worker.prepare(job)
            continue
        try:
            result = worker.run(job)
        except Exception as exc:  # never leave the parent waiting
            result = {"status": "failed", "error": {"ename": type(exc).__name__, "evalue": str(exc)[:500]},
                      "io": None, "timings": {}}
        emit(event="end", run_id=job["run_id"], **result)
    worker.discard()
    return 0


if __name__ == "__main__":
    sys.exit(main())
