"""Taking a referral's fields out of parsed FHIR resources (UK Core conventions).

A referral's Patient, requesting Organization or PractitionerRole are found by reference: `#id` for
contained resources, `fullUrl` or `Type/id` within a Bundle.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from fhir.resources.R4B.bundle import Bundle
from fhir.resources.R4B.patient import Patient
from fhir.resources.R4B.reference import Reference
from fhir.resources.R4B.servicerequest import ServiceRequest

from peer_events.codes import Gender
from peer_events.events.referrals import ReferralSource
from peer_referrals.domain.conditions import CodeSystem, ReasonCode
from peer_referrals.domain.submission import Submission
from peer_shared.clock import to_london

NHS_NUMBER_SYSTEM = "https://fhir.nhs.uk/Id/nhs-number"
ODS_SYSTEM = "https://fhir.nhs.uk/Id/ods-organization-code"
UBRN_SYSTEM = "https://fhir.nhs.uk/Id/UBRN"
ETHNIC_CATEGORY_URL = "https://fhir.hl7.org.uk/StructureDefinition/Extension-UKCore-EthnicCategory"
PREFERENCE_SYSTEM = "urn:peer-support:mentee-preference"
REASON_SYSTEMS = {
    "http://snomed.info/sct": CodeSystem.SNOMED_CT,
    "http://hl7.org/fhir/sid/icd-10": CodeSystem.ICD10,
    "http://hl7.org/fhir/sid/icd-10-uk": CodeSystem.ICD10,
}
_GENDERS = {"male": Gender.MALE, "female": Gender.FEMALE, "other": Gender.OTHER, "unknown": Gender.NOT_KNOWN}

Located = tuple[str, Any]
"""A resource and its FHIRPath location in the request."""


def index_contained(request: ServiceRequest, root: str) -> dict[str, Located]:
    """The ServiceRequest's contained resources by local reference (`#id`)."""
    return {
        f"#{item.id}": (f"{root}.contained[{i}]", item)
        for i, item in enumerate(request.contained or [])
        if item.id
    }


def index_bundle(bundle: Bundle) -> dict[str, Located]:
    """A Bundle's resources by every name a reference may use: `fullUrl` and `Type/id`."""
    found: dict[str, Located] = {}
    for i, entry in enumerate(bundle.entry or []):
        resource = entry.resource
        if resource is None:
            continue
        path = f"Bundle.entry[{i}].resource"
        if entry.fullUrl:
            found[entry.fullUrl] = (path, resource)
        if resource.id:
            found[f"{resource.get_resource_type()}/{resource.id}"] = (path, resource)
        for j, item in enumerate(getattr(resource, "contained", None) or []):
            if item.id:
                found[f"#{item.id}"] = (f"{path}.contained[{j}]", item)
    return found


def submission_from(
    request: ServiceRequest, path: str, resources: dict[str, Located], key_fallback: str
) -> Submission:
    """Everything the referral rules need, with the FHIRPath of each field."""
    patient_path, patient = _resolve(request.subject, resources)
    locations = {
        "reasons": f"{path}.reasonCode",
        "referrer_ods_code": f"{path}.requester",
        "authored_on": f"{path}.authoredOn",
        "preferences": f"{path}.orderDetail",
        "nhs_number": f"{path}.subject",
        "family_name": f"{path}.subject",
        "birth_date": f"{path}.subject",
        "postcode": f"{path}.subject",
    }
    fields: dict[str, Any] = {}
    if isinstance(patient, Patient):
        locations |= _patient_locations(patient_path)
        fields = _patient_fields(patient)
    ods, requester = _requester(request.requester, resources)
    ubrn = _identifier(request.identifier, UBRN_SYSTEM)
    return Submission(
        source=ReferralSource.FHIR,
        source_key=_source_key(request, ubrn) or key_fallback,
        referrer_ods_code=ods,
        requester=requester,
        authored_on=to_london(request.authoredOn).date()
        if isinstance(request.authoredOn, datetime)
        else request.authoredOn
        if isinstance(request.authoredOn, date)
        else None,
        reasons=tuple(
            ReasonCode(REASON_SYSTEMS[coding.system], coding.code)
            for concept in request.reasonCode or []
            for coding in concept.coding or []
            if coding.system in REASON_SYSTEMS and coding.code
        ),
        ubrn=ubrn,
        notes="\n".join(n.text for n in request.note or [] if n.text) or None,
        preference_codes=tuple(
            coding.code
            for concept in request.orderDetail or []
            for coding in concept.coding or []
            if coding.system == PREFERENCE_SYSTEM and coding.code
        ),
        locations=locations,
        **fields,
    )


def _patient_locations(path: str) -> dict[str, str]:
    return {
        "nhs_number": f"{path}.identifier.where(system='{NHS_NUMBER_SYSTEM}').value",
        "family_name": f"{path}.name.family",
        "birth_date": f"{path}.birthDate",
        "postcode": f"{path}.address.postalCode",
        "phone": f"{path}.telecom.where(system='phone').value",
        "email": f"{path}.telecom.where(system='email').value",
        "preferred_contact": f"{path}.telecom.rank",
        "ethnic_category": f"{path}.extension('{ETHNIC_CATEGORY_URL}')",
        "language": f"{path}.communication.language",
    }


def _patient_fields(patient: Patient) -> dict[str, Any]:
    name = next(iter(patient.name or []), None)
    address = next(iter(patient.address or []), None)
    telecom = patient.telecom or []
    ranked = sorted((t for t in telecom if t.rank), key=lambda t: t.rank or 0)
    return {
        "nhs_number": _identifier(patient.identifier, NHS_NUMBER_SYSTEM),
        "given_names": tuple(name.given or []) if name else (),
        "family_name": name.family if name else None,
        "birth_date": patient.birthDate if isinstance(patient.birthDate, date) else None,
        "gender": _GENDERS.get(patient.gender or "unknown", Gender.NOT_KNOWN),
        "address_lines": tuple([*(address.line or []), address.city or ""]) if address else (),
        "postcode": address.postalCode if address else None,
        "phone": next((t.value for t in telecom if t.system in ("phone", "sms") and t.value), None),
        "email": next((t.value for t in telecom if t.system == "email" and t.value), None),
        "preferred_contact": ranked[0].system if ranked else None,
        "ethnic_category": _ethnic_category(patient),
        "language": _language(patient),
    }


def _identifier(identifiers: list[Any] | None, system: str) -> str | None:
    return next((i.value for i in identifiers or [] if i.system == system and i.value), None)


def _source_key(request: ServiceRequest, ubrn: str | None) -> str | None:
    if ubrn:
        return f"ubrn:{ubrn}"
    first = next((i for i in request.identifier or [] if i.system and i.value), None)
    return f"{first.system}|{first.value}" if first else None


def _resolve(reference: Reference | None, resources: dict[str, Located]) -> Located:
    if reference is None or not reference.reference:
        return ("", None)
    return resources.get(reference.reference, ("", None))


def _requester(reference: Reference | None, resources: dict[str, Located]) -> tuple[str | None, str | None]:
    """The referring organisation's ODS code and the requester's name, from a reference or its target."""
    if reference is None:
        return None, None
    ods = _identifier([reference.identifier] if reference.identifier else [], ODS_SYSTEM)
    display = reference.display
    _, target = _resolve(reference, resources)
    if target is not None:
        kind = target.get_resource_type()
        if kind == "Organization":
            ods = ods or _identifier(target.identifier, ODS_SYSTEM)
        elif kind == "PractitionerRole" and target.organization is not None:
            inner, _ = _requester(target.organization, resources)
            ods = ods or inner
            if display is None and target.practitioner is not None:
                _, display = _requester(target.practitioner, resources)
        elif kind == "Practitioner" and display is None and target.name:
            display = target.name[0].text or " ".join(
                [*(target.name[0].given or []), target.name[0].family or ""]
            )
    return ods, display


def _ethnic_category(patient: Patient) -> str | None:
    for extension in patient.extension or []:
        if extension.url == ETHNIC_CATEGORY_URL and extension.valueCodeableConcept is not None:
            return next((c.code for c in extension.valueCodeableConcept.coding or [] if c.code), None)
    return None


def _language(patient: Patient) -> str | None:
    communications = sorted(patient.communication or [], key=lambda c: not c.preferred)
    for communication in communications:
        coding = next((c for c in communication.language.coding or [] if c.code), None)
        if coding is not None:
            return str(coding.code)
    return None
