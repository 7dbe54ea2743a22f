"""Accounts over GraphQL: signUp, logIn, the viewer's profile, updateProfile and coach links."""

from __future__ import annotations

import uuid
from datetime import date, timedelta

from sqlalchemy import text

from trainforge.db import session_factory
from trainforge.models import Role
from trainforge.services import accounts

PASSWORD = "correct horse battery"

ERRORS = "errors { __typename message field }"
PROFILE = "profile { birthDate sex maxHr restingHr units effectiveMaxHr }"
SIGN_UP = f"""
mutation ($input: SignUpInput!) {{
  signUp(input: $input) {{ token user {{ id email role displayName }} {ERRORS} }}
}}
"""
LOG_IN = f"""
mutation ($input: LogInInput!) {{
  logIn(input: $input) {{ token user {{ id email role }} {ERRORS} }}
}}
"""
VIEWER = f"{{ viewer {{ id email role {PROFILE} }} }}"
UPDATE_PROFILE = f"""
mutation ($input: ProfileInput!) {{
  updateProfile(input: $input) {{ profile {{ birthDate sex maxHr restingHr units effectiveMaxHr }} {ERRORS} }}
}}
"""
LINK = f"mutation ($email: String!) {{ linkCoach(coachEmail: $email) {{ coach {{ id email role }} {ERRORS} }} }}"
UNLINK = f"mutation ($id: ID!) {{ unlinkCoach(coachId: $id) {{ coachId {ERRORS} }} }}"
PEOPLE = """
{ viewer {
    athletes { totalCount edges { node { id email } } }
    coaches { totalCount edges { node { id email } } }
} }
"""


def age_on(today: date, birth: date) -> int:
    """Whole years from `birth` to `today`, counted by hand (not with the app's helper)."""
    years = today.year - birth.year
    if (today.month, today.day) < (birth.month, birth.day):
        years -= 1
    return years


async def count(engine, table: str) -> int:  # noqa: ANN001
    async with engine.connect() as conn:
        return int((await conn.execute(text(f"SELECT count(*) FROM {table}"))).scalar_one())


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


async def sign_up(gql, **input):  # noqa: ANN001, ANN003, ANN201
    values = {"password": PASSWORD, "displayName": "Someone", **input}
    result = await gql(SIGN_UP, {"input": values})
    assert "errors" not in result, result
    return result["data"]["signUp"]


# --- signUp -----------------------------------------------------------------------------------


async def test_athlete_signs_up_with_profile_and_token_works_at_once(gql, engine):
    payload = await sign_up(
        gql,
        email="ana@example.com",
        displayName="Ana",
        role="ATHLETE",
        profile={"birthDate": "1990-06-15", "sex": "FEMALE", "maxHr": 188, "restingHr": 52, "units": "IMPERIAL"},
    )

    assert payload["errors"] == []
    assert payload["user"]["email"] == "ana@example.com"
    assert payload["user"]["role"] == "ATHLETE"
    assert payload["user"]["displayName"] == "Ana"
    user_id = payload["user"]["id"]
    uuid.UUID(user_id)
    assert isinstance(payload["token"], str) and payload["token"].count(".") == 2

    viewer = await gql(VIEWER, headers=bearer(payload["token"]))
    assert viewer == {
        "data": {
            "viewer": {
                "id": user_id,
                "email": "ana@example.com",
                "role": "ATHLETE",
                "profile": {
                    "birthDate": "1990-06-15",
                    "sex": "FEMALE",
                    "maxHr": 188,
                    "restingHr": 52,
                    "units": "IMPERIAL",
                    "effectiveMaxHr": 188,
                },
            }
        }
    }
    assert await count(engine, "users") == 1
    assert await count(engine, "athlete_profiles") == 1


async def test_athlete_without_profile_gets_an_empty_metric_profile(gql):
    payload = await sign_up(gql, email="bare@example.com")

    viewer = await gql(VIEWER, headers=bearer(payload["token"]))
    assert viewer["data"]["viewer"]["role"] == "ATHLETE"  # the default role
    assert viewer["data"]["viewer"]["profile"] == {
        "birthDate": None,
        "sex": None,
        "maxHr": None,
        "restingHr": None,
        "units": "METRIC",
        "effectiveMaxHr": None,
    }


async def test_coach_signs_up_without_profile(gql, engine):
    payload = await sign_up(gql, email="carla@example.com", displayName="Carla", role="COACH")

    assert payload["errors"] == []
    assert payload["user"]["role"] == "COACH"
    viewer = await gql(VIEWER, headers=bearer(payload["token"]))
    assert viewer["data"]["viewer"] == {
        "id": payload["user"]["id"],
        "email": "carla@example.com",
        "role": "COACH",
        "profile": None,
    }
    assert await count(engine, "athlete_profiles") == 0


async def test_email_is_normalised_to_lower_case(gql):
    payload = await sign_up(gql, email="  Mixed.Case@Example.COM ")

    assert payload["errors"] == []
    assert payload["user"]["email"] == "mixed.case@example.com"
    viewer = await gql(VIEWER, headers=bearer(payload["token"]))
    assert viewer["data"]["viewer"]["email"] == "mixed.case@example.com"

    login = await gql(LOG_IN, {"input": {"email": "MIXED.case@example.com", "password": PASSWORD}})
    assert login["data"]["logIn"]["errors"] == []
    assert login["data"]["logIn"]["user"]["id"] == payload["user"]["id"]


async def test_duplicate_email_in_any_case_is_a_conflict_and_writes_nothing(gql, engine):
    first = await sign_up(gql, email="dup@example.com")
    assert first["errors"] == []

    second = await sign_up(gql, email="DUP@Example.com", displayName="Other")

    assert second == {
        "token": None,
        "user": None,
        "errors": [
            {"__typename": "ConflictError", "message": "an account with this email already exists", "field": "email"}
        ],
    }
    assert await count(engine, "users") == 1
    assert await count(engine, "athlete_profiles") == 1


async def test_invalid_email_is_a_validation_error_on_email(gql, engine):
    payload = await sign_up(gql, email="not-an-email")

    assert payload["token"] is None and payload["user"] is None
    assert payload["errors"] == [
        {"__typename": "ValidationError", "message": "not a valid email address", "field": "email"}
    ]
    assert await count(engine, "users") == 0


async def test_short_password_is_a_validation_error_on_password(gql, engine):
    payload = await sign_up(gql, email="short@example.com", password="1234567")

    assert payload["token"] is None and payload["user"] is None
    assert payload["errors"] == [
        {"__typename": "ValidationError", "message": "password must have 8 to 256 characters", "field": "password"}
    ]
    assert await count(engine, "users") == 0


async def test_empty_display_name_is_a_validation_error_on_display_name(gql, engine):
    payload = await sign_up(gql, email="blank@example.com", displayName="   ")

    assert payload["token"] is None and payload["user"] is None
    assert payload["errors"] == [
        {
            "__typename": "ValidationError",
            "message": "display name must have 1 to 120 characters",
            "field": "displayName",
        }
    ]
    assert await count(engine, "users") == 0


async def test_every_bad_field_is_reported_at_once(gql, engine):
    payload = await sign_up(gql, email="nope", password="short", displayName="")

    assert payload["token"] is None and payload["user"] is None
    assert [(e["__typename"], e["field"]) for e in payload["errors"]] == [
        ("ValidationError", "email"),
        ("ValidationError", "password"),
        ("ValidationError", "displayName"),
    ]
    assert await count(engine, "users") == 0


async def test_profile_for_a_coach_is_a_validation_error(gql, engine):
    payload = await sign_up(gql, email="coach@example.com", role="COACH", profile={"maxHr": 190})

    assert payload["token"] is None and payload["user"] is None
    assert payload["errors"] == [
        {"__typename": "ValidationError", "message": "only athletes have a profile", "field": "profile"}
    ]
    assert await count(engine, "users") == 0


async def test_out_of_range_profile_values_name_their_fields(gql, engine):
    today = date.today()
    cases = [
        ({"maxHr": 99}, ["maxHr"]),
        ({"maxHr": 251}, ["maxHr"]),
        ({"restingHr": 24}, ["restingHr"]),
        ({"restingHr": 121}, ["restingHr"]),
        ({"maxHr": 110, "restingHr": 110}, ["restingHr"]),  # resting must stay below max
        ({"birthDate": today.isoformat()}, ["birthDate"]),  # a newborn
        ({"birthDate": (today + timedelta(days=30)).isoformat()}, ["birthDate"]),  # not born yet
        ({"birthDate": "1880-01-01"}, ["birthDate"]),  # older than 120
        ({"birthDate": "1880-01-01", "maxHr": 300, "restingHr": 10}, ["birthDate", "maxHr", "restingHr"]),
    ]
    for profile, fields in cases:
        payload = await sign_up(gql, email=f"athlete-{uuid.uuid4().hex[:8]}@example.com", profile=profile)
        assert payload["token"] is None, profile
        assert [e["__typename"] for e in payload["errors"]] == ["ValidationError"] * len(fields), profile
        assert [e["field"] for e in payload["errors"]] == fields, profile
    assert await count(engine, "users") == 0
    assert await count(engine, "athlete_profiles") == 0


async def test_profile_values_at_the_limits_are_accepted(gql):
    payload = await sign_up(gql, email="edge@example.com", profile={"maxHr": 250, "restingHr": 25})
    assert payload["errors"] == []
    payload = await sign_up(gql, email="edge2@example.com", profile={"maxHr": 100, "restingHr": 99})
    assert payload["errors"] == []


async def test_sign_up_with_a_birth_date_works_on_a_leap_day(engine, settings):
    """The 5-to-120-years window must not crash when today is 29 February."""
    async with session_factory(engine).begin() as session:
        row = await accounts.sign_up(
            session,
            settings,
            email="leap@example.com",
            password=PASSWORD,
            role=Role.ATHLETE,
            display_name="Leap",
            profile=accounts.ProfileFields(birth_date=date(1990, 3, 1)),
            today=date(2028, 2, 29),
        )
    assert row.email == "leap@example.com"
    assert await count(engine, "athlete_profiles") == 1


# --- logIn ------------------------------------------------------------------------------------


async def test_log_in_with_the_right_password_returns_a_working_token(gql):
    signed = await sign_up(gql, email="lena@example.com")

    result = await gql(LOG_IN, {"input": {"email": "lena@example.com", "password": PASSWORD}})

    login = result["data"]["logIn"]
    assert login["errors"] == []
    assert login["user"] == {"id": signed["user"]["id"], "email": "lena@example.com", "role": "ATHLETE"}
    viewer = await gql("{ viewer { id } }", headers=bearer(login["token"]))
    assert viewer == {"data": {"viewer": {"id": signed["user"]["id"]}}}


async def test_wrong_password_and_unknown_email_fail_alike(gql):
    await sign_up(gql, email="known@example.com")

    wrong = await gql(LOG_IN, {"input": {"email": "known@example.com", "password": "wrong password!"}})
    unknown = await gql(LOG_IN, {"input": {"email": "nobody@example.com", "password": PASSWORD}})
    malformed = await gql(LOG_IN, {"input": {"email": "not an email", "password": PASSWORD}})

    expected = {
        "token": None,
        "user": None,
        "errors": [{"__typename": "ForbiddenError", "message": "invalid email or password", "field": None}],
    }
    assert wrong["data"]["logIn"] == expected
    assert unknown["data"]["logIn"] == expected
    assert malformed["data"]["logIn"] == expected


# --- effectiveMaxHr ----------------------------------------------------------------------------


async def test_effective_max_hr_is_220_minus_age_without_a_measured_max(gql):
    today = date.today()
    birth = date(1985, 11, 23)
    payload = await sign_up(gql, email="est@example.com", profile={"birthDate": birth.isoformat()})

    profile = (await gql(VIEWER, headers=bearer(payload["token"])))["data"]["viewer"]["profile"]

    assert profile["maxHr"] is None
    assert profile["effectiveMaxHr"] == 220 - age_on(today, birth)


async def test_effective_max_hr_counts_a_birthday_only_once_it_has_come(gql):
    today = date.today()
    # Someone who turns 40 today, and someone who turns 40 tomorrow.
    turns_today = date(today.year - 40, today.month, today.day) if (today.month, today.day) != (2, 29) else None
    tomorrow = today + timedelta(days=1)
    turns_tomorrow = date(tomorrow.year - 40, tomorrow.month, tomorrow.day) if (tomorrow.month, tomorrow.day) != (2, 29) else None

    if turns_today is not None:
        a = await sign_up(gql, email="forty@example.com", profile={"birthDate": turns_today.isoformat()})
        profile = (await gql(VIEWER, headers=bearer(a["token"])))["data"]["viewer"]["profile"]
        assert profile["effectiveMaxHr"] == 180
    if turns_tomorrow is not None:
        b = await sign_up(gql, email="thirtynine@example.com", profile={"birthDate": turns_tomorrow.isoformat()})
        profile = (await gql(VIEWER, headers=bearer(b["token"])))["data"]["viewer"]["profile"]
        assert profile["effectiveMaxHr"] == 181


# --- updateProfile -----------------------------------------------------------------------------


async def test_update_profile_keeps_omitted_fields_and_clears_explicit_nulls(gql):
    today = date.today()
    birth = date(1992, 2, 10)
    payload = await sign_up(
        gql,
        email="upd@example.com",
        profile={"birthDate": birth.isoformat(), "sex": "MALE", "maxHr": 192, "restingHr": 48, "units": "IMPERIAL"},
    )
    headers = bearer(payload["token"])

    changed = await gql(UPDATE_PROFILE, {"input": {"restingHr": 55}}, headers=headers)
    assert changed["data"]["updateProfile"] == {
        "profile": {
            "birthDate": birth.isoformat(),
            "sex": "MALE",
            "maxHr": 192,
            "restingHr": 55,
            "units": "IMPERIAL",
            "effectiveMaxHr": 192,
        },
        "errors": [],
    }

    cleared = await gql(UPDATE_PROFILE, {"input": {"maxHr": None, "sex": None}}, headers=headers)
    expected = {
        "birthDate": birth.isoformat(),
        "sex": None,
        "maxHr": None,
        "restingHr": 55,
        "units": "IMPERIAL",
        "effectiveMaxHr": 220 - age_on(today, birth),
    }
    assert cleared["data"]["updateProfile"] == {"profile": expected, "errors": []}

    # Stored, not just echoed.
    assert (await gql(VIEWER, headers=headers))["data"]["viewer"]["profile"] == expected

    units = await gql(UPDATE_PROFILE, {"input": {"units": "METRIC", "birthDate": None}}, headers=headers)
    assert units["data"]["updateProfile"]["profile"] == {
        **expected,
        "units": "METRIC",
        "birthDate": None,
        "effectiveMaxHr": None,
    }


async def test_update_profile_rejects_out_of_range_values_and_keeps_the_old_ones(gql):
    payload = await sign_up(gql, email="range@example.com", profile={"maxHr": 190, "restingHr": 50})
    headers = bearer(payload["token"])

    result = await gql(UPDATE_PROFILE, {"input": {"maxHr": 260}}, headers=headers)
    assert result["data"]["updateProfile"]["profile"] is None
    assert [(e["__typename"], e["field"]) for e in result["data"]["updateProfile"]["errors"]] == [
        ("ValidationError", "maxHr")
    ]

    # A new max below the stored resting HR clashes with it.
    result = await gql(UPDATE_PROFILE, {"input": {"maxHr": 100, "restingHr": 110}}, headers=headers)
    assert [(e["__typename"], e["field"]) for e in result["data"]["updateProfile"]["errors"]] == [
        ("ValidationError", "restingHr")
    ]

    profile = (await gql(VIEWER, headers=headers))["data"]["viewer"]["profile"]
    assert (profile["maxHr"], profile["restingHr"]) == (190, 50)


async def test_coach_cannot_update_a_profile(gql, make_user):
    coach = await make_user(Role.COACH)

    result = await gql(UPDATE_PROFILE, {"input": {"maxHr": 180}}, as_=coach)

    assert result == {
        "data": {
            "updateProfile": {
                "profile": None,
                "errors": [{"__typename": "ForbiddenError", "message": "only athletes have a profile", "field": None}],
            }
        }
    }


async def test_update_profile_needs_a_viewer(gql):
    result = await gql(UPDATE_PROFILE, {"input": {"maxHr": 180}})

    assert result["data"] is None
    assert result["errors"][0]["message"] == "authentication required"
    assert result["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"


# --- coach links --------------------------------------------------------------------------------


async def test_athlete_links_a_coach_and_both_see_the_link(gql, make_user):
    coach = await make_user(Role.COACH, email="coach.kim@example.com")
    athlete = await make_user(Role.ATHLETE)

    linked = await gql(LINK, {"email": "Coach.Kim@Example.com"}, as_=athlete)

    assert linked == {
        "data": {
            "linkCoach": {
                "coach": {"id": str(coach.id), "email": "coach.kim@example.com", "role": "COACH"},
                "errors": [],
            }
        }
    }

    coach_view = (await gql(PEOPLE, as_=coach))["data"]["viewer"]
    assert coach_view["athletes"] == {
        "totalCount": 1,
        "edges": [{"node": {"id": str(athlete.id), "email": athlete.email}}],
    }
    assert coach_view["coaches"] == {"totalCount": 0, "edges": []}

    athlete_view = (await gql(PEOPLE, as_=athlete))["data"]["viewer"]
    assert athlete_view["coaches"] == {
        "totalCount": 1,
        "edges": [{"node": {"id": str(coach.id), "email": "coach.kim@example.com"}}],
    }
    assert athlete_view["athletes"] == {"totalCount": 0, "edges": []}


async def test_coach_sees_only_their_own_athletes(gql, make_user, link):
    kim, lee = await make_user(Role.COACH), await make_user(Role.COACH)
    a = await make_user(Role.ATHLETE)
    b = await make_user(Role.ATHLETE)
    c = await make_user(Role.ATHLETE)
    await link(kim, a)
    await link(kim, b)
    await link(lee, c)

    kims = (await gql(PEOPLE, as_=kim))["data"]["viewer"]["athletes"]
    lees = (await gql(PEOPLE, as_=lee))["data"]["viewer"]["athletes"]

    assert kims["totalCount"] == 2
    assert sorted(e["node"]["id"] for e in kims["edges"]) == sorted([str(a.id), str(b.id)])
    assert lees == {"totalCount": 1, "edges": [{"node": {"id": str(c.id), "email": c.email}}]}


async def test_linking_the_same_coach_twice_is_a_conflict(gql, make_user, engine):
    coach = await make_user(Role.COACH)
    athlete = await make_user(Role.ATHLETE)
    assert (await gql(LINK, {"email": coach.email}, as_=athlete))["data"]["linkCoach"]["errors"] == []

    again = await gql(LINK, {"email": coach.email.upper()}, as_=athlete)

    assert again["data"]["linkCoach"] == {
        "coach": None,
        "errors": [{"__typename": "ConflictError", "message": "this coach is already linked", "field": "coachEmail"}],
    }
    assert await count(engine, "coach_athletes") == 1


async def test_linking_a_non_coach_or_unknown_email_is_not_found(gql, make_user, engine):
    athlete = await make_user(Role.ATHLETE)
    other_athlete = await make_user(Role.ATHLETE)

    for email in (other_athlete.email, "ghost@example.com"):
        result = await gql(LINK, {"email": email}, as_=athlete)
        assert result["data"]["linkCoach"] == {
            "coach": None,
            "errors": [{"__typename": "NotFoundError", "message": "no coach with this email", "field": "coachEmail"}],
        }, email
    assert await count(engine, "coach_athletes") == 0


async def test_linking_a_malformed_email_is_a_validation_error_on_coach_email(gql, make_user):
    athlete = await make_user(Role.ATHLETE)

    result = await gql(LINK, {"email": "not an email"}, as_=athlete)

    assert result["data"]["linkCoach"] == {
        "coach": None,
        "errors": [{"__typename": "ValidationError", "message": "not a valid email address", "field": "coachEmail"}],
    }


async def test_coach_cannot_link_a_coach(gql, make_user, engine):
    coach, other = await make_user(Role.COACH), await make_user(Role.COACH)

    result = await gql(LINK, {"email": other.email}, as_=coach)

    assert result["data"]["linkCoach"] == {
        "coach": None,
        "errors": [{"__typename": "ForbiddenError", "message": "only athletes can add a coach", "field": None}],
    }
    assert await count(engine, "coach_athletes") == 0


async def test_unlinking_a_coach_that_is_not_linked_is_not_found(gql, make_user, link):
    coach, stranger = await make_user(Role.COACH), await make_user(Role.COACH)
    athlete = await make_user(Role.ATHLETE)
    await link(coach, athlete)

    for coach_id in (stranger.id, uuid.uuid4()):
        result = await gql(UNLINK, {"id": str(coach_id)}, as_=athlete)
        assert result["data"]["unlinkCoach"] == {
            "coachId": None,
            "errors": [{"__typename": "NotFoundError", "message": "no such linked coach", "field": "coachId"}],
        }
    # The real link is untouched.
    assert (await gql(PEOPLE, as_=athlete))["data"]["viewer"]["coaches"]["totalCount"] == 1


async def test_unlink_removes_the_link_for_both_sides(gql, make_user, link):
    coach, athlete = await make_user(Role.COACH), await make_user(Role.ATHLETE)
    await link(coach, athlete)

    result = await gql(UNLINK, {"id": str(coach.id)}, as_=athlete)

    assert result["data"]["unlinkCoach"] == {"coachId": str(coach.id), "errors": []}
    assert (await gql(PEOPLE, as_=athlete))["data"]["viewer"]["coaches"] == {"totalCount": 0, "edges": []}
    assert (await gql(PEOPLE, as_=coach))["data"]["viewer"]["athletes"] == {"totalCount": 0, "edges": []}


async def test_unlink_with_a_malformed_id_is_bad_user_input(gql, make_user):
    athlete = await make_user(Role.ATHLETE)

    result = await gql(UNLINK, {"id": "42"}, as_=athlete)

    assert result["data"] is None
    assert result["errors"][0]["message"] == "coachId is not a valid id"
    assert result["errors"][0]["extensions"] == {"code": "BAD_USER_INPUT", "field": "coachId"}
