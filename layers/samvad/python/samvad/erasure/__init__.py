"""Erasure of one citizen's personal data (DPDP Act 2023, s.12): ``erase(phone, ports)``.

See ``docs/data-protection.md`` for what is deleted, what is redacted and why.
"""

from samvad.erasure.citizen import Citizen, InvalidPhone
from samvad.erasure.service import ErasurePorts, Receipt, erase

__all__ = ["Citizen", "ErasurePorts", "InvalidPhone", "Receipt", "erase"]
