"""`Fn::ForEach` of the AWS::LanguageExtensions transform, expanded as CloudFormation (and
cfn-lint) expand it before the Serverless transform runs, so that every local reader of
template.yaml sees the resources a deployment gets.

Within a loop's fragment, the identifier is replaced in keys (`${Id}`, `&{Id}`), in `Fn::Sub`
strings (a string left with no variable becomes a plain string), and in `Ref: Id` (its value);
`Ref` of a `Fn::Sub` refers to whatever the substituted name is. Loops nest.
"""

from __future__ import annotations

import re
from typing import Any

TRANSFORM = "AWS::LanguageExtensions"
_LOOP = re.compile(r"^Fn::ForEach::[A-Za-z0-9]+$")
_VARIABLE = re.compile(r"\$\{[^!][^}]*\}|&\{[^!][^}]*\}")


def expand(document: dict[str, Any]) -> dict[str, Any]:
    """The document with every Fn::ForEach of Resources, Outputs and Conditions expanded."""
    expanded = dict(document)
    for section in ("Conditions", "Resources", "Outputs"):
        if isinstance(document.get(section), dict):
            expanded[section] = _walk(document[section], {})
    return expanded


def _substitute(text: str, values: dict[str, str]) -> str:
    for name, value in values.items():
        text = text.replace(f"${{{name}}}", value)
        text = text.replace(f"&{{{name}}}", re.sub("[^0-9a-zA-Z]+", "", value))
    return text


def _walk(node: Any, values: dict[str, str]) -> Any:
    if isinstance(node, list):
        return [_walk(item, values) for item in node]
    if not isinstance(node, dict):
        return node
    if set(node) == {"Ref"}:
        return _ref(node["Ref"], values)
    if set(node) == {"Fn::Sub"}:
        return _sub(node["Fn::Sub"], values)
    result: dict[str, Any] = {}
    for key, value in node.items():
        if _LOOP.match(key):
            for name, item in _loop(key, value, values).items():
                if name in result:
                    raise ValueError(f"{key} makes {name} twice")
                result[name] = item
        else:
            result[_substitute(key, values)] = _walk(value, values)
    return result


def _loop(key: str, loop: Any, values: dict[str, str]) -> dict[str, Any]:
    if not (isinstance(loop, list) and len(loop) == 3 and isinstance(loop[0], str)):
        raise ValueError(f"{key} must be [Identifier, [values...], {{OutputKey: OutputValue}}]")
    identifier, collection, fragment = loop
    if not isinstance(collection, list) or not all(isinstance(item, str) for item in collection):
        raise ValueError(f"{key}: only a literal list of strings is expanded locally")
    made: dict[str, Any] = {}
    for item in collection:
        made.update(_walk(fragment, {**values, identifier: item}))
    return made


def _ref(target: Any, values: dict[str, str]) -> Any:
    if isinstance(target, str):
        return values.get(target, {"Ref": target})
    resolved = _walk(target, values)
    return {"Ref": values.get(resolved, resolved) if isinstance(resolved, str) else resolved}


def _sub(argument: Any, values: dict[str, str]) -> Any:
    if isinstance(argument, str):
        text = _substitute(argument, values)
        return text if not _VARIABLE.search(text) else {"Fn::Sub": text}
    if isinstance(argument, list) and argument and isinstance(argument[0], str):
        return {
            "Fn::Sub": [_substitute(argument[0], values), *(_walk(rest, values) for rest in argument[1:])]
        }
    return {"Fn::Sub": _walk(argument, values)}
