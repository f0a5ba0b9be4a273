"""``$metadata`` for one route: the route's EDMX cut down to the entity sets the sandbox serves.

Kept: the served entity sets, their entity types, navigation properties whose target type is kept,
and the enum and complex types those properties use.  Bound actions and out-of-line annotations
are dropped because the sandbox does not implement them.
"""

from __future__ import annotations

import copy
import functools
import xml.etree.ElementTree as ET
from pathlib import Path

from gateway.sandbox.edm import EDM_NS, EDMX_NS, load_model, load_tree, unqualified

_E = f"{{{EDM_NS}}}"
ET.register_namespace("edmx", EDMX_NS)
ET.register_namespace("", EDM_NS)


@functools.lru_cache(maxsize=32)
def metadata_document(path: Path, served: frozenset[str], extensions: tuple[Path, ...] = ()) -> bytes:
    model = load_model(path, extensions)
    sets = {name for name in served if name in model.entity_sets}
    types = {model.entity_sets[name].type_name for name in sets}
    root = copy.deepcopy(load_tree(path, extensions))
    schema = root.find(f"{{{EDMX_NS}}}DataServices/{_E}Schema")
    if schema is None:
        raise ValueError(f"{path}: no Schema element")
    used = _trim_entity_types(schema, types)
    for element in list(schema):
        tag = element.tag.removeprefix(_E)
        unused_type = tag in ("EnumType", "ComplexType") and element.get("Name") not in used
        if unused_type or tag in ("Action", "Function", "Annotations"):
            schema.remove(element)
        elif tag == "EntityContainer":
            for entity_set in list(element):
                if entity_set.get("Name") not in sets:
                    element.remove(entity_set)
    body: bytes = ET.tostring(root, encoding="utf-8", xml_declaration=False)
    return b'<?xml version="1.0" encoding="utf-8"?>\n' + body


def _trim_entity_types(schema: ET.Element, kept: set[str]) -> set[str]:
    """Remove entity types not kept and dangling navigation; return the type names properties use."""
    used: set[str] = set()
    for element in schema.findall(f"{_E}EntityType"):
        if element.get("Name") not in kept:
            schema.remove(element)
            continue
        for nav in element.findall(f"{_E}NavigationProperty"):
            target = unqualified(nav.get("Type", "").removeprefix("Collection(").removesuffix(")"))
            if target not in kept:
                element.remove(nav)
        for prop in element.findall(f"{_E}Property"):
            used.add(unqualified(prop.get("Type", "").removeprefix("Collection(").removesuffix(")")))
    return used
