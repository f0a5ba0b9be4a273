"""The parts of an EDMX ($metadata) document the sandbox engine needs: types, keys, navigation, sets.

Parsed once per file per process (``load_model``): the standard document is ~370 kB.
"""

from __future__ import annotations

import functools
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from pathlib import Path

EDM_NS = "http://docs.oasis-open.org/odata/ns/edm"
EDMX_NS = "http://docs.oasis-open.org/odata/ns/edmx"
_E = f"{{{EDM_NS}}}"
_CAPABILITIES = "Org.OData.Capabilities.V1."


@dataclass(frozen=True)
class Property:
    name: str
    type: str  # "Edm.String", or a qualified enum name such as "Microsoft.NAV.salesOrderEntityBufferStatus"
    nullable: bool = True
    max_length: int | None = None

    @property
    def is_primitive(self) -> bool:
        return self.type.startswith("Edm.")


@dataclass(frozen=True)
class NavigationProperty:
    name: str
    target_type: str  # unqualified entity type name
    collection: bool
    contains_target: bool
    # (property on the source entity, property on the target entity) pairs.
    constraints: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True)
class EntityType:
    name: str
    qualified_name: str
    key: tuple[str, ...]
    properties: dict[str, Property]
    navigation: dict[str, NavigationProperty]


@dataclass(frozen=True)
class EntitySet:
    name: str
    type_name: str
    insertable: bool = True
    updatable: bool = True
    deletable: bool = True


@dataclass(frozen=True)
class EnumType:
    name: str
    qualified_name: str
    members: tuple[str, ...]


@dataclass(frozen=True)
class EdmModel:
    """One EDMX document: everything keyed by unqualified name."""

    path: Path
    namespace: str
    entity_types: dict[str, EntityType]
    entity_sets: dict[str, EntitySet]
    enum_types: dict[str, EnumType]
    _set_by_type: dict[str, str] = field(default_factory=dict)

    def entity_type_of(self, entity_set: str) -> EntityType:
        return self.entity_types[self.entity_sets[entity_set].type_name]

    def set_for_type(self, type_name: str) -> str | None:
        """The entity set whose rows are of ``type_name`` (used to join navigation targets)."""
        return self._set_by_type.get(type_name)

    def enum_of(self, prop: Property) -> EnumType | None:
        return self.enum_types.get(unqualified(prop.type))


def unqualified(type_name: str) -> str:
    return type_name.rsplit(".", 1)[-1]


@functools.cache
def load_tree(path: Path, extensions: tuple[Path, ...] = ()) -> ET.Element:
    """``path``'s EDMX with the schema elements of each extension document merged in (entity and
    enum types into the schema, entity sets into the container): how the sandbox adds standard
    sets newer than BC's 2025 document without changing that document.  Do not mutate the result."""
    root = ET.parse(path).getroot()  # noqa: S314  (trusted, packaged file)
    if not extensions:
        return root
    schema = root.find(f"{{{EDMX_NS}}}DataServices/{_E}Schema")
    container = schema.find(f"{_E}EntityContainer") if schema is not None else None
    if schema is None or container is None:
        raise ValueError(f"{path}: no Schema with an EntityContainer")
    for extension in extensions:
        extra = ET.parse(extension).getroot().find(f"{{{EDMX_NS}}}DataServices/{_E}Schema")  # noqa: S314
        if extra is None:
            raise ValueError(f"{extension}: no Schema element")
        for element in extra:
            if element.tag == f"{_E}EntityContainer":
                container.extend(list(element))
            else:
                schema.insert(list(schema).index(container), element)
    return root


@functools.cache
def load_model(path: Path, extensions: tuple[Path, ...] = ()) -> EdmModel:
    """Parse ``path`` (with ``extensions`` merged in, see ``load_tree``) once per process."""
    root = load_tree(path, extensions)
    schema = root.find(f"{{{EDMX_NS}}}DataServices/{_E}Schema")
    if schema is None:
        raise ValueError(f"{path}: no Schema element")
    namespace = schema.get("Namespace", "")
    types = {t.name: t for t in (_entity_type(e, namespace) for e in schema.iter(f"{_E}EntityType"))}
    enums = {t.name: t for t in (_enum_type(e, namespace) for e in schema.iter(f"{_E}EnumType"))}
    sets = {s.name: s for s in (_entity_set(e) for e in schema.iter(f"{_E}EntitySet"))}
    by_type: dict[str, str] = {}
    for entity_set in sets.values():
        by_type.setdefault(entity_set.type_name, entity_set.name)
    return EdmModel(path, namespace, types, sets, enums, by_type)


def _entity_type(element: ET.Element, namespace: str) -> EntityType:
    name = element.get("Name", "")
    key = tuple(ref.get("Name", "") for ref in element.iter(f"{_E}PropertyRef"))
    props = {p.name: p for p in (_property(e) for e in element.findall(f"{_E}Property"))}
    navs = {n.name: n for n in (_navigation(e) for e in element.findall(f"{_E}NavigationProperty"))}
    return EntityType(name, f"{namespace}.{name}", key, props, navs)


def _property(element: ET.Element) -> Property:
    max_length = element.get("MaxLength")
    return Property(
        name=element.get("Name", ""),
        type=element.get("Type", ""),
        nullable=element.get("Nullable", "true") != "false",
        max_length=int(max_length) if max_length and max_length.isdigit() else None,
    )


def _navigation(element: ET.Element) -> NavigationProperty:
    raw_type = element.get("Type", "")
    collection = raw_type.startswith("Collection(")
    target = raw_type[len("Collection(") : -1] if collection else raw_type
    constraints = tuple(
        (c.get("Property", ""), c.get("ReferencedProperty", ""))
        for c in element.findall(f"{_E}ReferentialConstraint")
    )
    return NavigationProperty(
        name=element.get("Name", ""),
        target_type=unqualified(target),
        collection=collection,
        contains_target=element.get("ContainsTarget") == "true",
        constraints=constraints,
    )


def _enum_type(element: ET.Element, namespace: str) -> EnumType:
    name = element.get("Name", "")
    members = tuple(m.get("Name", "") for m in element.findall(f"{_E}Member"))
    return EnumType(name, f"{namespace}.{name}", members)


def _entity_set(element: ET.Element) -> EntitySet:
    flags = {
        _capability_flag(a): a.find(f"{_E}Record/{_E}PropertyValue")
        for a in element.findall(f"{_E}Annotation")
    }

    def allowed(flag: str) -> bool:
        value = flags.get(flag)
        return value is None or value.get("Bool") != "false"

    return EntitySet(
        name=element.get("Name", ""),
        type_name=unqualified(element.get("EntityType", "")),
        insertable=allowed("InsertRestrictions"),
        updatable=allowed("UpdateRestrictions"),
        deletable=allowed("DeleteRestrictions"),
    )


def _capability_flag(annotation: ET.Element) -> str:
    return annotation.get("Term", "").removeprefix(_CAPABILITIES)
