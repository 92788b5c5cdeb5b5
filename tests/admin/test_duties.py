"""Segregation of duties: role combinations that break the blind or four-eyes are refused."""

import pytest

from app.auth.duties import check_role_combination
from app.core.errors import DomainError
from tests.admin.test_users import new_user_form

pytestmark = pytest.mark.usefixtures("english")


@pytest.mark.parametrize(("roles", "field", "start"), [
    ({"monitor", "site"}, "roles", "A monitor verifies the site's work"),
    ({"monitor", "unblinded"}, "roles", "A monitor verifies the site's work"),
    ({"unblinded", "site"}, "roles", "Site staff are blinded"),
    ({"patient", "finance"}, "roles", "A patient account holds no staff role."),
    ({"site"}, "sites", "Choose at least one site for the site role."),
])
def test_conflicting_roles_are_refused_with_the_reason(roles, field, start, make):
    sites = [make.site()] if field == "roles" else []
    with pytest.raises(DomainError) as refused:
        check_role_combination(roles, sites)
    assert str(refused.value).startswith(start) and refused.value.field == field


def test_allowed_combinations_pass(make):
    site = make.site()
    for roles in ({"logistics", "qp"}, {"monitor"}, {"site"}, {"unblinded"}, {"finance"}):
        check_role_combination(roles, [site])


def test_unblinded_pharmacist_only_where_the_trial_allows_it(make):
    site = make.site()
    site.trial.allows_unblinded_pharmacist = True  # set by the blinding module's trial option
    check_role_combination({"unblinded", "site"}, [site])


def test_the_admin_form_keeps_what_was_typed_and_shows_the_reason(client, login_as, db, make):
    login_as("admin")
    site = make.site()
    db.session.commit()
    response = client.post("/admin/users/new", headers={"Accept-Language": "en"},
                           data=new_user_form(full_name="Mónica Ruiz", roles=["monitor", "site"],
                                              sites=[site.id]))
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "A monitor verifies the site&#39;s work" in page and 'value="Mónica Ruiz"' in page
    response = client.post("/admin/users/new", headers={"Accept-Language": "en"},
                           data=new_user_form(roles=["site"]))
    assert "Choose at least one site for the site role." in response.get_data(as_text=True)


def test_changing_roles_is_checked_too(client, login_as, make, db):
    login_as("admin")
    user = make.user(roles=["monitor"])
    site = make.site()
    db.session.commit()
    response = client.post(f"/admin/users/{user.id}/edit", headers={"Accept-Language": "en"},
                           data={"full_name": user.full_name, "language": "en",
                                 "roles": ["monitor", "unblinded"], "sites": [site.id],
                                 "active": "y", "reason": "Trying"})
    assert response.status_code == 200
    db.session.refresh(user)
    assert user.roles == {"monitor"}
