"""Toolkit pages: reading versions, and the QA lead's upload with a validation preview."""

import base64
import io
import re
from html import unescape

import pytest
from sqlalchemy import func, select

from qa_app.extensions import db
from qa_app.models import ToolkitVersion
from tests.support.factories import make_toolkit_version, make_user
from tests.support.pages import nav_labels, page_text
from tests.support.toolkit_docs import minimal_doc, section, to_yaml


def version_count() -> int:
    db.session.expire_all()
    return db.session.scalar(select(func.count(ToolkitVersion.id)))


def upload(client, text: str | bytes, name: str = "kit.yaml"):
    data = text.encode() if isinstance(text, str) else text
    return client.post(
        "/toolkits/upload",
        data={"file": (io.BytesIO(data), name)},
        content_type="multipart/form-data",
    )


def hidden_fields(response) -> dict[str, str]:
    html = response.get_data(as_text=True)
    return {
        name: unescape(value)
        for name, value in re.findall(
            r'<input[^>]*name="(source|filename|content_hash)"[^>]*value="([^"]*)"', html
        )
    }


def test_every_role_sees_the_toolkits_in_the_menu_and_only_the_qa_lead_can_upload(
    client, auth, app_ctx
):
    make_toolkit_version()
    auth.login(make_user("social_worker"))
    page = client.get("/toolkits/")
    assert "Toolkits" in nav_labels(page)
    text = page_text(page)
    assert (
        "Test toolkit" in text
        and "Child in need" in text
        and "Version 1 of Test toolkit (active)" in text
    )
    assert "Upload a new version" not in text
    assert "No active toolkit covers: Assessment, Child protection" in text
    auth.login(make_user("qa_admin"))
    assert "Upload a new version" in page_text(client.get("/toolkits/"))


def test_a_version_page_shows_sections_descriptors_and_compliance(client, auth, app_ctx):
    make_toolkit_version()
    auth.login(make_user("iro"))
    text = page_text(client.get("/toolkits/test_toolkit/versions/1"))
    assert "Active New audits of these cohorts use this version." in text
    assert "12 months of the record, judged on the last 6 months" in text
    assert "3, of which 1 safety-critical" in text
    assert "File test_toolkit.yaml Download the YAML file of this version" in text
    assert "Assessment Safety-critical" in text
    assert "Strategy discussions May be not applicable" in text
    assert "Not applicable when: No such event happened in the period." in text
    assert "Outstanding What outstanding practice looks like for planning" in text
    assert "Inadequate What inadequate practice looks like for planning" in text
    assert "If any safety-critical section is graded Inadequate" in text
    assert "Question about % with statutory visits in timescale?" in text
    assert client.get("/toolkits/test_toolkit/versions/9").status_code == 404


def test_an_old_version_says_it_is_not_active_and_links_to_the_active_one(client, auth, app_ctx):
    make_toolkit_version()
    make_toolkit_version(version=2, description="Second.")
    auth.login(make_user("psw"))
    page = client.get("/toolkits/test_toolkit/versions/1")
    assert "This version is not active. Audits started on it keep it." in page_text(page)
    assert 'href="/toolkits/test_toolkit/versions/2"' in page.get_data(as_text=True)


def test_download_gives_the_yaml_as_loaded(client, auth, app_ctx):
    version = make_toolkit_version()
    auth.login(make_user("team_manager"))
    response = client.get("/toolkits/test_toolkit/versions/1/download")
    assert response.mimetype == "application/yaml"
    assert 'filename="test_toolkit-v1.yaml"' in response.headers["Content-Disposition"]
    assert response.get_data(as_text=True) == version.source_text


def test_an_invalid_upload_lists_every_problem_and_loads_nothing(client, auth, app_ctx):
    auth.login(make_user("qa_admin"))
    doc = minimal_doc(cohorts=["cin", "adults"])
    del doc["sections"][1]["descriptors"]["good"]
    response = upload(client, to_yaml(doc), "council kit.yaml")
    assert response.status_code == 400
    text = page_text(response)
    assert "There is a problem" in text
    assert "council kit.yaml cannot be loaded: 2 problem(s), listed below" in text
    assert "cohorts[#2] 'adults' is not allowed here" in text
    assert "sections[planning].descriptors the field 'good' is missing" in text
    assert "Load version" not in text
    assert version_count() == 0


def test_upload_refuses_a_file_that_is_not_yaml(client, auth, app_ctx):
    auth.login(make_user("qa_admin"))
    response = upload(client, "a,b\n", "staff.csv")
    assert response.status_code == 400
    assert "The selected file must be a .yaml or .yml file" in page_text(response)


def test_upload_preview_then_confirm_loads_the_new_version(client, auth, app_ctx):
    make_toolkit_version()
    admin = make_user("qa_admin")
    auth.login(admin)
    doc = minimal_doc(version=2)
    doc["sections"].append(section("recording"))
    doc["sections"][0]["safety_critical"] = False
    doc["sections"][1]["safety_critical"] = True
    preview = upload(client, to_yaml(doc))
    assert preview.status_code == 200
    text = page_text(preview)
    assert "Check before loading" in text
    assert "Replaces Version 1 as the active version" in text
    assert "Section added: 'Recording'" in text
    assert "'Assessment' is no longer safety-critical" in text
    assert "'Planning' is now safety-critical" in text
    assert version_count() == 1  # a preview writes nothing

    fields = hidden_fields(preview)
    assert base64.b64decode(fields["source"]).decode() == to_yaml(doc)
    confirmed = client.post("/toolkits/upload/confirm", data=fields)
    assert confirmed.status_code == 302
    assert confirmed.headers["Location"] == "/toolkits/test_toolkit/versions/2"
    shown = page_text(client.get(confirmed.headers["Location"]))
    assert "Test toolkit version 2 is loaded and now active." in shown
    db.session.expire_all()
    loaded = db.session.scalar(select(ToolkitVersion).where(ToolkitVersion.version == 2))
    assert loaded.active and loaded.loaded_via == "web" and loaded.loaded_by_id == admin.id
    assert loaded.source_name == "kit.yaml"


def test_uploading_a_version_already_loaded_offers_nothing_to_load(client, auth, app_ctx):
    version = make_toolkit_version()
    auth.login(make_user("qa_admin"))
    response = upload(client, version.source_text)
    text = page_text(response)
    assert "is already loaded and active. There is nothing to load." in text
    assert "Load version" not in text


def test_confirming_a_file_other_than_the_one_previewed_is_refused(client, auth, app_ctx):
    auth.login(make_user("qa_admin"))
    fields = hidden_fields(upload(client, to_yaml(minimal_doc())))
    fields["source"] = base64.b64encode(to_yaml(minimal_doc(name="Swapped")).encode()).decode()
    response = client.post("/toolkits/upload/confirm", data=fields)
    assert response.status_code == 409
    assert "the file is not the one previewed: upload it again" in page_text(response)
    assert version_count() == 0


def test_confirming_after_someone_else_loaded_the_same_version_is_refused(client, auth, app_ctx):
    make_toolkit_version()
    auth.login(make_user("qa_admin"))
    fields = hidden_fields(upload(client, to_yaml(minimal_doc(version=2, description="Mine."))))
    make_toolkit_version(version=2, description="Theirs.")
    response = client.post("/toolkits/upload/confirm", data=fields)
    assert response.status_code == 409
    assert "version 2 of 'test_toolkit' is already loaded with different content" in page_text(
        response
    )
    assert version_count() == 2


@pytest.mark.parametrize("source", ["not base64!", "ÿ non-ASCII"])
def test_a_garbled_confirmation_is_sent_back_to_upload(client, auth, app_ctx, source):
    auth.login(make_user("qa_admin"))
    response = client.post(
        "/toolkits/upload/confirm",
        data={"source": source, "filename": "kit.yaml", "content_hash": "0" * 64},
    )
    assert response.status_code == 302 and response.headers["Location"] == "/toolkits/upload"
    assert "The confirmation was incomplete" in page_text(client.get("/toolkits/upload"))
    assert version_count() == 0


def test_only_the_qa_lead_can_load_a_version(client, auth, app_ctx):
    auth.login(make_user("qa_admin"))
    fields = hidden_fields(upload(client, to_yaml(minimal_doc())))
    auth.login(make_user("psw", "team_manager"))
    assert client.post("/toolkits/upload/confirm", data=fields).status_code == 403
    assert upload(client, to_yaml(minimal_doc())).status_code == 403
    assert version_count() == 0
