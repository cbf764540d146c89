"""Who may do what: the permission matrix applied to a user, and site-limited visibility."""

from __future__ import annotations

from django.contrib.auth.models import AbstractBaseUser
from django.db.models import QuerySet

from hyposti.service.errors import ForbiddenError, NotFoundError
from hyposti.service.models import Participant, UserProfile
from hyposti.service.permissions import MATRIX, SITE_BOUND


def profile_of(user: AbstractBaseUser) -> UserProfile:
    """The user's role and site; read with the user when it was loaded with it (an API token's
    user, see token_user), else one query."""
    profile: UserProfile | None
    if UserProfile._meta.get_field("user").remote_field.is_cached(user):  # user.profile
        profile = getattr(user, "profile", None)  # None: loaded, and the user has no profile
    else:
        profile = UserProfile.objects.select_related("site").filter(user_id=user.pk).first()
    if profile is None or not user.is_active:
        raise ForbiddenError("any", None, "is not set: the user has no role in this trial")
    return profile


def authorize(user: AbstractBaseUser, action: str) -> UserProfile:
    """The user's profile if the permission matrix lets their role do ``action``; else refuse."""
    profile = profile_of(user)
    if profile.role not in MATRIX[action]:
        allowed = ", ".join(sorted(MATRIX[action]))
        raise ForbiddenError(action, profile.role, f"may not do this (allowed: {allowed})")
    return profile


def visible_participants(profile: UserProfile) -> QuerySet[Participant]:
    """Site-bound roles see their own site's participants only."""
    qs = Participant.objects.select_related("site")
    if profile.role in SITE_BOUND:
        # a site-bound role without a site sees no one
        return qs.none() if profile.site_id is None else qs.filter(site_id=profile.site_id)
    return qs


def participant_for(
    profile: UserProfile,
    subject_id: str,
    *,
    for_update: bool = False,
    related: tuple[str, ...] = (),
) -> Participant:
    """The participant if this user may see it (others are 'not found', not 'forbidden'), with
    the ``related`` one-to-one records (select_related paths) read in the same query; a lock
    (``for_update``) holds the participant's row only."""
    qs = visible_participants(profile).select_related(*related)
    if for_update:
        qs = qs.select_for_update(of=("self",))
    try:  # get(), not first(): subject ids are unique, and first() adds an ORDER BY (~25% of CPU)
        return qs.get(subject_id=subject_id)
    except Participant.DoesNotExist as exc:
        raise NotFoundError("participant", subject_id) from exc
