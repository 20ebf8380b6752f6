"""Step Functions RedriveExecution on the local server: moto 5.2.5 has no such action.

What AWS documents, and this follows
(https://docs.aws.amazon.com/step-functions/latest/apireference/API_RedriveExecution.html,
https://docs.aws.amazon.com/step-functions/latest/dg/redrive-executions.html):

- Only a STANDARD execution that ended FAILED, TIMED_OUT or ABORTED, at most 14 days
  ago and with fewer than 25,000 history events, can be redriven; anything else is
  ExecutionNotRedrivable with the reason DescribeExecution's redriveStatusReason gives.
- The same execution (same ARN, definition and input) continues from the state where it
  stopped, with that state's input: states that succeeded are not run again. Inside a
  Parallel state only the branches that failed or were aborted run again, each from its
  own unsuccessful state; a branch that succeeded keeps its output.
- The history goes on where it ended: an `ExecutionRedriven` event (with redriveCount),
  then the redriven states' events. The state machine's TimeoutSeconds counts afresh.
- A branch that fails with a `States.*` error fails its Parallel state with that error
  (moto's own Parallel state turns it into States.Runtime).
- DescribeExecution gains redriveCount, redriveDate, redriveStatus (REDRIVABLE /
  NOT_REDRIVABLE) and redriveStatusReason; ListExecutions items gain redriveCount and
  redriveDate, and its redriveFilter (REDRIVEN / NOT_REDRIVEN) works. The execution is
  PENDING_REDRIVE between the call and its first state; the context object carries
  `$$.Execution.RedriveCount` and `RedriveTime`.
- clientToken: the same token within 15 minutes answers the same redrive again.

"The state where it stopped" is the state that was entered last and never exited in
that scope. A failure caught by a Catch moves on to the catcher, so an execution that
catches a step's error and ends in a Fail state stopped at the Fail state, and a
redrive runs that Fail state again: to resume a failed step, let its error fail the
execution (AWS behaves the same way).

How: every state's entry (with its input) and successful exit is journaled per
execution, and every Parallel branch's output when it succeeds. A redrive evaluates
the same program from the journal's unsuccessful state; a Parallel state reached that
way skips its finished branches. Inline Map iterations are not tracked: a redriven Map
state runs all of its iterations again (AWS reruns only the failed ones).
"""

from __future__ import annotations

import copy
import datetime
import threading
from dataclasses import dataclass, field
from typing import Any

from moto.core.responses import ActionResult
from moto.stepfunctions import responses as responses_module
from moto.stepfunctions.exceptions import AWSError, ValidationException
from moto.stepfunctions.parser import models as parser_models
from moto.stepfunctions.parser.api import (
    ExecutionRedrivenEventDetails,
    ExecutionStatus,
    HistoryEventType,
    StateMachineType,
)
from moto.stepfunctions.parser.asl.component.common.error_name.custom_error_name import (
    CustomErrorName,
)
from moto.stepfunctions.parser.asl.component.common.error_name.failure_event import (
    FailureEvent,
    FailureEventException,
)
from moto.stepfunctions.parser.asl.component.common.error_name.states_error_name import (
    StatesErrorName,
)
from moto.stepfunctions.parser.asl.component.eval_component import EvalComponent
from moto.stepfunctions.parser.asl.component.program import program as program_module
from moto.stepfunctions.parser.asl.component.state import state as state_module
from moto.stepfunctions.parser.asl.component.state.exec.state_parallel import (
    branch_worker as branch_worker_module,
)
from moto.stepfunctions.parser.asl.component.state.exec.state_parallel import (
    branches_decl as branches_module,
)
from moto.stepfunctions.parser.asl.component.state.exec.state_parallel.state_parallel import (
    StateParallel,
)
from moto.stepfunctions.parser.asl.eval.environment import Environment
from moto.stepfunctions.parser.asl.eval.event import event_manager as event_manager_module
from moto.stepfunctions.parser.asl.eval.event.event_detail import EventDetails
from moto.stepfunctions.parser.asl.eval.program_state import ProgramEnded, ProgramRunning
from moto.stepfunctions.parser.backend import execution_worker as execution_worker_module
from moto.stepfunctions.parser.utils import TMP_THREADS

from infra.local.patching import Spot, apply, original_of

REDRIVABLE_DAYS = 14
HISTORY_EVENT_LIMIT = 25_000
CLIENT_TOKEN_MINUTES = 15
CLIENT_TOKENS_KEPT = 10
_REDRIVABLE = (ExecutionStatus.FAILED, ExecutionStatus.TIMED_OUT, ExecutionStatus.ABORTED)

SPOTS = (
    STATE_BODY := Spot(
        state_module.CommonStateField,
        "_eval_body",
        "035f80caae1290dc",
        "journals every state's entry (with its input) and successful exit, so a redrive "
        "knows where each scope stopped",
        "that a state still adds its StateExited event only after a successful evaluation, "
        "and that env.states.get_input() is the state's input on entry",
    ),
    BRANCHES := Spot(
        branches_module.BranchesDecl,
        "_eval_body",
        "eec2efa5fe001389",
        "a redriven Parallel state skips its finished branches and resumes the others at "
        "their unsuccessful state; branch outputs are journaled as branches succeed",
        "BranchesDecl._eval_body: the replacement copies its worker pool and failure logic",
    ),
    PROGRAM_EVAL := Spot(
        program_module.Program,
        "eval",
        "6d701880064a8970",
        "not patched: _run_from repeats it with a start state other than StartAt",
        "that Program.eval still only sets next_state_name and runs _eval_body in a thread "
        "joined with TimeoutSeconds",
    ),
    BRANCH_ROUTINE := Spot(
        branch_worker_module.BranchWorker,
        "_thread_routine",
        "1adf7318ab3c2c6f",
        "not patched: _ResumingBranchWorker overrides it to start a branch at its "
        "unsuccessful state",
        "that a branch worker still evaluates its program and then calls on_terminated",
    ),
    EXECUTION_LOGIC := Spot(
        execution_worker_module.ExecutionWorker,
        "_execution_logic",
        "baa3e2a48fd228d9",
        "not patched: a redrive repeats its set-up (program, environment) with the history "
        "continued and ExecutionRedriven in place of ExecutionStarted",
        "_get_evaluation_entrypoint, _get_evaluation_environment and "
        "_execution_communication.terminated()",
    ),
    EVENT_MANAGER := Spot(
        event_manager_module.EventManager,
        "__init__",
        "90d4e9d275078afd",
        "not patched: the redriven history is seeded from the old one through "
        "_history_event_list and _event_id_gen",
        "the names of the event list and of the id generator",
    ),
    DESCRIBE := Spot(
        responses_module.StepFunctionResponse,
        "describe_execution",
        "c3953bdc9ce21fda",
        "adds redriveCount, redriveDate, redriveStatus and redriveStatusReason",
        "that it still returns an ActionResult wrapping a dict",
    ),
    LIST := Spot(
        responses_module.StepFunctionResponse,
        "list_executions",
        "6fec14cfc5afd6b8",
        "adds redriveCount and redriveDate to each item and applies redriveFilter",
        "that it still returns an ActionResult wrapping {'executions': [...]} ",
    ),
    REDRIVE_ACTION := Spot(
        responses_module.StepFunctionResponse,
        "redrive_execution",
        None,
        "the RedriveExecution action",
        "moto's own RedriveExecution, which would replace this one",
    ),
    REDRIVE_BACKEND := Spot(
        parser_models.StepFunctionsParserBackend,
        "redrive_execution",
        None,
        "the RedriveExecution action's backend",
        "moto's own RedriveExecution, which would replace this one",
    ),
)


class ExecutionNotRedrivable(AWSError):
    TYPE = "ExecutionNotRedrivable"
    STATUS = 400


@dataclass
class _Redrives:
    """One execution's redrive bookkeeping and its journal of states."""

    count: int = 0
    date: datetime.datetime | None = None
    tokens: list[tuple[str, datetime.datetime]] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)
    sequence: int = 0
    entered: dict[str, tuple[int, Any]] = field(default_factory=dict)  # state -> (seq, input)
    exited: dict[str, int] = field(default_factory=dict)  # state -> seq of its last exit
    branches: dict[tuple[str, int], Any] = field(default_factory=dict)  # (parallel, i) -> output
    resuming: set[str] = field(default_factory=set)  # Parallel states to resume, not rerun

    def enter(self, state: str, value: Any) -> None:
        with self.lock:
            self.sequence += 1
            self.entered[state] = (self.sequence, copy.deepcopy(value))

    def exit(self, state: str) -> None:
        with self.lock:
            self.sequence += 1
            self.exited[state] = self.sequence

    def stopped_at(self, states: Any) -> tuple[str, Any] | None:
        """Of `states` (one scope's names), the one entered last and not exited since,
        with its input; None if every state entered there also finished."""
        with self.lock:
            open_states = [
                (seq, name)
                for name in states
                if name in self.entered
                for seq, _ in [self.entered[name]]
                if self.exited.get(name, 0) < seq
            ]
            if not open_states:
                return None
            _, name = max(open_states)
            return name, copy.deepcopy(self.entered[name][1])


_registry: dict[str, _Redrives] = {}
_registry_lock = threading.Lock()


def _redrives(execution_arn: str) -> _Redrives:
    with _registry_lock:
        return _registry.setdefault(execution_arn, _Redrives())


def redrive_count(execution_arn: str) -> int:
    """How many times the execution was redriven (0 for one never redriven)."""
    return _redrives(execution_arn).count


def _execution_arn(env: Environment) -> str | None:
    execution = env.states.context_object.context_object_data.get("Execution") or {}
    return execution.get("Id")


# -- journal -------------------------------------------------------------------------------------


def _state_eval_body(self: Any, env: Environment) -> None:
    arn = _execution_arn(env)
    journal = _redrives(arn) if arn else None
    if journal is not None:
        journal.enter(self.name, env.states.get_input())
    original_of(STATE_BODY)(self, env)
    if journal is not None and isinstance(env.program_state(), ProgramRunning | ProgramEnded):
        journal.exit(self.name)


# -- running a program from a given state -----------------------------------------------------------


def _run_from(program: Any, env: Environment, state: str) -> None:
    """Program.eval, starting at `state` instead of StartAt."""
    timeout = program.timeout_seconds.timeout_seconds if program.timeout_seconds else None
    env.next_state_name = state
    worker = threading.Thread(target=EvalComponent.eval, args=(program, env), daemon=True)
    TMP_THREADS.append(worker)
    worker.start()
    worker.join(timeout=timeout)
    if worker.is_alive():
        env.set_timed_out()


def _resume_point(journal: _Redrives, program: Any) -> tuple[str, Any] | None:
    """Where a redrive resumes `program` (a top-level program or a branch): its
    unsuccessful state and that state's input; a Parallel state there resumes too."""
    stopped = journal.stopped_at(program.states.states.keys())
    if stopped is not None and isinstance(program.states.states[stopped[0]], StateParallel):
        with journal.lock:
            journal.resuming.add(stopped[0])
    return stopped


class _ResumingBranchWorker(branch_worker_module.BranchWorker):
    def __init__(self, comm: Any, program: Any, env: Environment, start: str, done: Any) -> None:
        super().__init__(branch_worker_comm=comm, program=program, env=env)
        self._start = start
        self._done = done

    def _thread_routine(self) -> None:
        _run_from(self._program, self.env, self._start)
        if isinstance(self.env.program_state(), ProgramEnded):
            self._done(copy.deepcopy(self.env.states.get_input()))
        self._branch_worker_comm.on_terminated(env=self.env)


def _error_name(name: str | None) -> Any:
    """The branch's error as the Parallel state's: a `States.*` error (a failed Task's
    States.TaskFailed) stays what it is, where moto's own Parallel gives a CustomErrorName,
    which refuses that prefix and turns the failure into States.Runtime."""
    if name and name.startswith("States."):
        try:
            return StatesErrorName.from_name(name)
        except (KeyError, ValueError):
            pass
    return CustomErrorName(error_name=name)


def _branches_eval_body(self: Any, env: Environment) -> None:
    input_value = env.stack.pop()
    parallel = env.states.context_object.context_object_data["State"]["Name"]
    journal = _redrives(_execution_arn(env) or "")
    with journal.lock:
        resuming = parallel in journal.resuming
        journal.resuming.discard(parallel)
        if not resuming:
            for key in [k for k in journal.branches if k[0] == parallel]:
                del journal.branches[key]
        finished = {i: out for (p, i), out in journal.branches.items() if p == parallel}

    results: list[Any] = [copy.deepcopy(finished.get(i)) for i in range(len(self.programs))]
    to_run = [i for i in range(len(self.programs)) if i not in finished]
    pool = branches_module.BranchWorkerPool(workers_num=len(to_run))
    workers = []
    for index in to_run:
        program = self.programs[index]
        frame = env.open_inner_frame()
        frame.states.reset(input_value=input_value)
        start = program.start_at.start_at_name
        resume = _resume_point(journal, program) if resuming else None
        if resume is not None:
            start, state_input = resume
            frame.states.reset(input_value=state_input)

        def done(output: Any, key: tuple[str, int] = (parallel, index)) -> None:
            with journal.lock:
                journal.branches[key] = output

        worker = _ResumingBranchWorker(pool, program, frame, start, done)
        workers.append((index, worker))
        worker.start()
    if to_run:
        pool.wait()

    failed = pool.get_exit_event_details()
    if failed is not None:
        for _, worker in workers:
            worker.stop(stop_date=datetime.datetime.now(), cause=None, error=None)
            env.close_frame(worker.env)
        raise FailureEventException(
            failure_event=FailureEvent(
                env=env,
                error_name=_error_name(failed.get("error")),
                event_type=HistoryEventType.ExecutionFailed,
                event_details=EventDetails(executionFailedEventDetails=failed),
            )
        )
    for index, worker in workers:
        results[index] = worker.env.states.get_input()
        env.close_frame(worker.env)
    env.stack.append(results)


# -- the API ------------------------------------------------------------------------------------------


def _not_redrivable(execution: Any, now: datetime.datetime) -> str | None:
    """Why `execution` cannot be redriven now (DescribeExecution's redriveStatusReason)."""
    if getattr(execution, "sm_type", StateMachineType.STANDARD) == StateMachineType.EXPRESS:
        return "RedriveExecution is not supported by EXPRESS state machines"
    status = ExecutionStatus(execution.status)
    if status not in _REDRIVABLE:
        return f"Execution is {status.value} and cannot be redriven"
    if execution.stop_date and now - execution.stop_date > datetime.timedelta(REDRIVABLE_DAYS):
        return "Execution redrivable period exceeded"
    env = getattr(getattr(execution, "exec_worker", None), "env", None)
    if env is not None and len(env.event_manager.get_event_history()) >= HISTORY_EVENT_LIMIT:
        return "Execution history event limit exceeded"
    return None


def _redrive_execution(self: Any, execution_arn: str, client_token: str | None = None) -> Any:
    """RedriveExecution: returns the redrive date."""
    execution = self.describe_execution(execution_arn)
    record = _redrives(execution_arn)
    now = datetime.datetime.now(tz=datetime.UTC)
    with record.lock:
        window = datetime.timedelta(minutes=CLIENT_TOKEN_MINUTES)
        for token, first_used in record.tokens:
            if client_token and token == client_token and now - first_used <= window:
                return record.date
        reason = _not_redrivable(execution, now)
        if reason is not None:
            raise ExecutionNotRedrivable(reason)
        record.count += 1
        record.date = now
        if client_token:
            record.tokens = [*record.tokens, (client_token, now)][-CLIENT_TOKENS_KEPT:]
        count = record.count
        execution.exec_status = ExecutionStatus.PENDING_REDRIVE
        execution.stop_date = None
        execution.error = execution.cause = execution.output = None
    thread = threading.Thread(target=_redrive, args=(execution, count, now), daemon=True)
    TMP_THREADS.append(thread)
    thread.start()
    return now


def _continued_history(old: Any) -> Any:
    """A new event manager holding the old history, numbering on from it. A new one,
    not the old: a timed-out execution's thread may still add to the old."""
    manager = event_manager_module.EventManager(
        cloud_watch_logging_session=old._cloud_watch_logging_session
    )
    events = old.get_event_history()
    manager._history_event_list.extend(events)
    manager._event_id_gen._next_id = max((e["id"] for e in events), default=0) + 1
    return manager


def _redrive(execution: Any, count: int, when: datetime.datetime) -> None:
    old_env = execution.exec_worker.env
    worker = execution._get_start_execution_worker()
    program = worker._get_evaluation_entrypoint()
    env = worker._get_evaluation_environment()
    env.event_manager = _continued_history(old_env.event_manager)
    env.variable_store = old_env.variable_store
    last_event = env.event_manager._event_id_gen._next_id - 1
    env.event_history_context = event_manager_module.EventHistoryContext(last_event)
    context_execution = env.states.context_object.context_object_data["Execution"]
    context_execution["RedriveCount"] = count
    context_execution["RedriveTime"] = when.isoformat()
    worker.env = env
    execution.exec_worker = worker
    execution.exec_status = ExecutionStatus.RUNNING
    env.event_manager.add_event(
        context=env.event_history_context,
        event_type=HistoryEventType.ExecutionRedriven,
        event_details=EventDetails(  # type: ignore[typeddict-unknown-key]
            executionRedrivenEventDetails=ExecutionRedrivenEventDetails(redriveCount=count)
        ),
    )
    resume = _resume_point(_redrives(execution.exec_arn), program)
    if resume is None:  # it stopped before its first state: start over
        start = program.start_at.start_at_name
    else:
        start, state_input = resume
        env.states.reset(input_value=state_input)
    _run_from(program, env, start)
    worker._execution_communication.terminated()


def _redrive_action(self: Any) -> ActionResult:
    backend = self.stepfunction_backend
    if not hasattr(backend, "redrive_execution"):
        raise ValidationException(
            "RedriveExecution needs executing state machines (stepfunctions.execute_state_machine)"
        )
    date = backend.redrive_execution(
        self._get_param("executionArn"), client_token=self._get_param("clientToken")
    )
    return ActionResult({"redriveDate": date})


def _redrive_fields(execution: Any) -> dict[str, Any]:
    record = _redrives(execution.execution_arn)
    fields: dict[str, Any] = {"redriveCount": record.count}
    if record.date is not None:
        fields["redriveDate"] = record.date
    return fields


def _describe_execution(self: Any) -> ActionResult:
    result = original_of(DESCRIBE)(self)
    execution = self.stepfunction_backend.describe_execution(self._get_param("executionArn"))
    response = result.result
    response.update(_redrive_fields(execution))
    reason = _not_redrivable(execution, datetime.datetime.now(tz=datetime.UTC))
    response["redriveStatus"] = "NOT_REDRIVABLE" if reason else "REDRIVABLE"
    if reason:
        response["redriveStatusReason"] = reason
    return result


def _list_executions(self: Any) -> ActionResult:
    result = original_of(LIST)(self)
    wanted = self._get_param("redriveFilter")
    backend = self.stepfunction_backend
    items = []
    for item in result.result["executions"]:
        item.update(_redrive_fields(backend.describe_execution(item["executionArn"])))
        redriven = item["redriveCount"] > 0
        if wanted in (None, "REDRIVEN" if redriven else "NOT_REDRIVEN"):
            items.append(item)
    result.result["executions"] = items
    return result


def install() -> None:
    apply(STATE_BODY, _state_eval_body)
    apply(BRANCHES, _branches_eval_body)
    apply(DESCRIBE, _describe_execution)
    apply(LIST, _list_executions)
    apply(REDRIVE_ACTION, _redrive_action)
    apply(REDRIVE_BACKEND, _redrive_execution)
