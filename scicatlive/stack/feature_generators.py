"""The generators of the feature services' files, registered in ``generators.GENERATORS``."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from scicatlive.stack.directory_files import glauth_config, ldap_directory_ldif
from scicatlive.stack.jobs_files import rabbitmq_config, rabbitmq_definitions, scicat_job_config
from scicatlive.stack.oidc_files import keycloak_realm, lemonldap_ng_config

if TYPE_CHECKING:
    from scicatlive.stack.generators import GeneratorContext

FEATURE_GENERATORS: dict[str, Callable[[GeneratorContext], str]] = {
    "scicat-job-config": scicat_job_config,
    "rabbitmq-definitions": rabbitmq_definitions,
    "rabbitmq-config": rabbitmq_config,
    "ldap-directory": ldap_directory_ldif,
    "glauth-config": glauth_config,
    "lemonldap-ng-config": lemonldap_ng_config,
    "keycloak-realm": keycloak_realm,
}
