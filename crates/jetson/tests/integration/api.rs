use jetson_domain::{Role, Scope};
use serde_json::{Value, json};

use crate::helpers::{conversation, spawn_app, spawn_app_with};

#[tokio::test]
async fn healthz_is_200_while_the_database_answers_and_503_when_it_does_not() {
    let app = spawn_app().await;
    assert_eq!(app.api.get(app.url("/healthz")).send().await.unwrap().status(), 200);
    app.state.db.close().await;
    assert_eq!(app.api.get(app.url("/healthz")).send().await.unwrap().status(), 503);
}

#[tokio::test]
async fn readyz_says_ready_or_every_reason_it_is_not() {
    let app = spawn_app().await;
    let ready = app.api.get(app.url("/readyz")).send().await.unwrap();
    assert_eq!(ready.status(), 200);
    let body: Value = ready.json().await.unwrap();
    assert_eq!(body["status"], "ready");
    assert_eq!(body["migrations"], jetson_store::MIGRATIONS.len());
    // A newer Jetson migrated this database: this binary should not take traffic.
    let newer = "INSERT INTO jetson_migrations (name, applied_at) VALUES ('9999_from_the_future', 'now')";
    match &app.state.db {
        jetson_store::Db::Sqlite(p) => sqlx::query(newer).execute(p).await.map(|_| ()),
        jetson_store::Db::Postgres(p) => sqlx::query(newer).execute(p).await.map(|_| ()),
    }
    .unwrap();
    let res = app.api.get(app.url("/readyz")).send().await.unwrap();
    assert_eq!(res.status(), 503);
    let body: Value = res.json().await.unwrap();
    assert_eq!(body["status"], "not_ready");
    assert!(body["reasons"][0].as_str().unwrap().contains("9999_from_the_future"), "{body}");
    app.state.db.close().await;
    let body: Value = app.api.get(app.url("/readyz")).send().await.unwrap().json().await.unwrap();
    assert_eq!(body["reasons"], json!(["the database is unreachable"]));
}

#[tokio::test]
async fn the_api_refuses_callers_without_a_valid_token_with_a_json_error() {
    let app = spawn_app().await;
    for auth in [None, Some("Bearer nope"), Some("Basic abc")] {
        let mut req = app.api.get(app.url("/api/v1/work-items"));
        if let Some(a) = auth {
            req = req.header("authorization", a);
        }
        let res = req.send().await.unwrap();
        assert_eq!(res.status(), 401);
        let body: Value = res.json().await.unwrap();
        assert_eq!(body["error"]["code"], "unauthorized");
    }
}

#[tokio::test]
async fn work_items_are_listed_with_filters_and_cursor_pages() {
    let app = spawn_app().await;
    app.load_demo().await;
    let all: Value = app.get_api("/api/v1/work-items?limit=200").await.json().await.unwrap();
    let items = all["items"].as_array().unwrap();
    assert!(items.len() > 20, "{}", items.len());
    for field in ["id", "title", "category", "priority", "status", "distinct_customers", "reports"] {
        assert!(items[0].get(field).is_some(), "missing {field}");
    }
    let bugs: Value =
        app.get_api("/api/v1/work-items?category=bug&product=Ledgerly&limit=200").await.json().await.unwrap();
    let bugs = bugs["items"].as_array().unwrap();
    assert!(!bugs.is_empty() && bugs.iter().all(|w| w["category"] == "bug" && w["product"] == "Ledgerly"));

    let mut seen = Vec::new();
    let mut cursor: Option<String> = None;
    loop {
        let path = match &cursor {
            Some(c) => format!("/api/v1/work-items?limit=7&cursor={c}"),
            None => "/api/v1/work-items?limit=7".to_string(),
        };
        let page: Value = app.get_api(&path).await.json().await.unwrap();
        seen.extend(page["items"].as_array().unwrap().iter().map(|w| w["id"].as_str().unwrap().to_string()));
        match page["next_cursor"].as_str() {
            Some(c) => cursor = Some(c.to_string()),
            None => break,
        }
    }
    let expected: Vec<String> = items.iter().map(|w| w["id"].as_str().unwrap().to_string()).collect();
    assert_eq!(seen, expected, "pages cover every item once, in order");
}

#[tokio::test]
async fn bad_parameters_and_bodies_get_a_stable_error_code() {
    let app = spawn_app().await;
    for path in [
        "/api/v1/work-items?category=bugz",
        "/api/v1/work-items?limit=0",
        "/api/v1/work-items?colour=red",
        "/api/v1/work-items?product=Nope",
    ] {
        let res = app.get_api(path).await;
        assert_eq!(res.status(), 422, "{path}");
        let body: Value = res.json().await.unwrap();
        assert_eq!(body["error"]["code"], "invalid_request", "{path}");
    }
    let res = app.get_api("/api/v1/work-items/not-an-id").await;
    assert_eq!(res.status(), 404);
    assert_eq!(res.json::<Value>().await.unwrap()["error"]["code"], "not_found");
    let res = app
        .api
        .post(app.url("/api/v1/work-items/0191b5a0-0000-7000-8000-000000000000/status"))
        .bearer_auth(&app.token)
        .body("{not json")
        .header("content-type", "application/json")
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 422);
    assert_eq!(app.get_api("/api/v1/nothing-here").await.status(), 404);
}

#[tokio::test]
async fn status_merge_unmerge_and_move_work_through_the_api() {
    let app = spawn_app().await;
    app.load_demo().await;
    let list: Value =
        app.get_api("/api/v1/work-items?product=Ledgerly&category=bug&limit=200").await.json().await.unwrap();
    let items = list["items"].as_array().unwrap();
    let (a, b) = (items[0]["id"].as_str().unwrap(), items[1]["id"].as_str().unwrap());

    let res = app.post_api(&format!("/api/v1/work-items/{a}/status"), json!({"status": "in_progress"})).await;
    assert_eq!(res.status(), 200);
    assert_eq!(res.json::<Value>().await.unwrap()["status"], "in_progress");
    assert_eq!(app.post_api(&format!("/api/v1/work-items/{a}/status"), json!({"status": "done"})).await.status(), 422);

    let before_b: Value = app.get_api(&format!("/api/v1/work-items/{b}")).await.json().await.unwrap();
    let before_a: Value = app.get_api(&format!("/api/v1/work-items/{a}")).await.json().await.unwrap();
    let merged: Value =
        app.post_api(&format!("/api/v1/work-items/{a}/merge"), json!({"into": b})).await.json().await.unwrap();
    assert_eq!(merged["reports"], before_a["reports"].as_i64().unwrap() + before_b["reports"].as_i64().unwrap());
    assert_eq!(app.post_api(&format!("/api/v1/work-items/{a}/merge"), json!({"into": b})).await.status(), 409);
    let on_merged = app.post_api(&format!("/api/v1/work-items/{a}/status"), json!({"status": "resolved"})).await;
    assert_eq!(on_merged.status(), 409, "the item is still there (GET answers it), merged");
    let error: Value = on_merged.json().await.unwrap();
    assert!(error["error"]["message"].as_str().unwrap().contains(b), "names the item it was merged into: {error}");

    let undone: Value = app.post_api(&format!("/api/v1/work-items/{a}/unmerge"), json!({})).await.json().await.unwrap();
    assert_eq!(undone["reports"], before_a["reports"]);
    let b_after: Value = app.get_api(&format!("/api/v1/work-items/{b}")).await.json().await.unwrap();
    assert_eq!(b_after["reports"], before_b["reports"]);

    let report = before_a["report_list"][0]["id"].as_str().unwrap();
    let moved: Value =
        app.post_api(&format!("/api/v1/reports/{report}/move"), json!({"work_item": b})).await.json().await.unwrap();
    assert_eq!(moved["reports"], before_b["reports"].as_i64().unwrap() + 1);
}

#[tokio::test]
async fn a_viewer_or_a_read_token_cannot_change_anything() {
    let app = spawn_app().await;
    app.load_demo().await;
    let list: Value = app.get_api("/api/v1/work-items?limit=1").await.json().await.unwrap();
    let id = list["items"][0]["id"].as_str().unwrap().to_string();
    for token in [
        app.token_for("viewer@test.example", Role::Viewer, "write").await,
        app.token_for("reader@test.example", Role::Member, "read").await,
    ] {
        let res = app
            .api
            .post(app.url(&format!("/api/v1/work-items/{id}/status")))
            .bearer_auth(&token)
            .json(&json!({"status": "resolved"}))
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 403);
        assert_eq!(res.json::<Value>().await.unwrap()["error"]["code"], "forbidden");
        let read = app.api.get(app.url(&format!("/api/v1/work-items/{id}"))).bearer_auth(&token).send().await.unwrap();
        assert_eq!(read.status(), 200, "reading is allowed");
    }
}

#[tokio::test]
async fn another_organisations_token_sees_nothing_of_ours() {
    let app = spawn_app().await;
    app.load_demo().await;
    let other_org = jetson::services::accounts::ensure_org(&app.state, "Other").await.unwrap();
    let (user, _) = jetson::services::accounts::create_user(
        &app.state,
        other_org,
        &jetson_domain::Email::parse("x@other.example").unwrap(),
        "X",
        Role::Owner,
    )
    .await
    .unwrap();
    let (_, theirs) =
        jetson::services::accounts::create_token(&app.state, other_org, user, "t", Scope::Write, None, None)
            .await
            .unwrap();
    let ours: Value = app.get_api("/api/v1/work-items?limit=1").await.json().await.unwrap();
    let item = ours["items"][0]["id"].as_str().unwrap();
    let convs: Value = app.get_api("/api/v1/conversations?limit=1").await.json().await.unwrap();
    let conv = convs["items"][0]["id"].as_str().unwrap();
    let as_them = |path: String| app.api.get(app.url(&path)).bearer_auth(&theirs).send();
    assert_eq!(as_them(format!("/api/v1/work-items/{item}")).await.unwrap().status(), 404);
    assert_eq!(as_them(format!("/api/v1/conversations/{conv}")).await.unwrap().status(), 404);
    let listed: Value = as_them("/api/v1/work-items".into()).await.unwrap().json().await.unwrap();
    assert!(listed["items"].as_array().unwrap().is_empty());
    let res = app
        .api
        .post(app.url(&format!("/api/v1/work-items/{item}/status")))
        .bearer_auth(&theirs)
        .json(&json!({"status": "resolved"}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 404);
}

#[tokio::test]
async fn reclassifying_a_conversation_moves_its_work_and_conversations_show_redacted_text() {
    let app = spawn_app().await;
    app.import(
        "Ledgerly",
        &[
            conversation(
                "1",
                "a@one.example",
                "Export broken",
                "The PDF export is blank for every invoice. Mail me at a@one.example or call +49 30 1234 5678.",
            ),
            conversation(
                "2",
                "b@two.example",
                "PDF export empty",
                "Exported invoice PDFs are empty pages since yesterday.",
            ),
        ],
    )
    .await;
    let convs: Value = app.get_api("/api/v1/conversations").await.json().await.unwrap();
    let first = convs["items"].as_array().unwrap().iter().find(|c| c["external_id"] == "1").unwrap();
    let id = first["id"].as_str().unwrap();
    assert_eq!(first["category"], "bug");
    let work_item = first["work_item_id"].as_str().expect("a bug report feeds a work item").to_string();

    let detail: Value = app.get_api(&format!("/api/v1/conversations/{id}")).await.json().await.unwrap();
    let text = detail["messages"][0]["text"].as_str().unwrap();
    assert!(text.contains("[EMAIL]") && text.contains("[PHONE]") && !text.contains("a@one.example"), "{text}");

    let before: Value = app.get_api(&format!("/api/v1/work-items/{work_item}")).await.json().await.unwrap();
    let res = app.post_api(&format!("/api/v1/conversations/{id}/reclassify"), json!({"category": "no_action"})).await;
    assert_eq!(res.status(), 200);
    let after: Value = res.json().await.unwrap();
    assert_eq!(after["category"], "no_action");
    assert_eq!(after["classified_by"], "human");
    assert!(after["work_item_id"].is_null());
    let item_after = app.get_api(&format!("/api/v1/work-items/{work_item}")).await;
    let remaining = if item_after.status() == 404 {
        0
    } else {
        item_after.json::<Value>().await.unwrap()["reports"].as_i64().unwrap()
    };
    assert_eq!(remaining, before["reports"].as_i64().unwrap() - 1);

    let back: Value = app
        .post_api(&format!("/api/v1/conversations/{id}/reclassify"), json!({"category": "bug"}))
        .await
        .json()
        .await
        .unwrap();
    assert!(back["work_item_id"].is_string(), "reclassified as a bug, it feeds a work item again");
}

#[tokio::test]
async fn every_documented_limit_has_the_bounds_the_server_enforces() {
    use jetson::web::api::{DEFAULT_LIMIT, MAX_LIMIT};
    let app = spawn_app().await;
    let doc: Value = serde_json::from_str(jetson::web::api::openapi::DOCUMENT).unwrap();
    let mut seen = 0;
    for (path, ops) in doc["paths"].as_object().unwrap() {
        for op in ops.as_object().unwrap().values() {
            for p in op["parameters"].as_array().into_iter().flatten().filter(|p| p["name"] == "limit") {
                let schema = &p["schema"];
                assert_eq!((&schema["minimum"], &schema["maximum"]), (&json!(1), &json!(MAX_LIMIT)), "{path}");
                assert_eq!(schema["default"], json!(DEFAULT_LIMIT), "{path}");
                seen += 1;
                for (limit, status) in [(0, 422), (1, 200), (MAX_LIMIT, 200), (MAX_LIMIT + 1, 422)] {
                    let res = app.get_api(&format!("{path}?limit={limit}")).await;
                    assert_eq!(res.status(), status, "{path}?limit={limit}");
                }
            }
        }
    }
    assert!(seen >= 2, "the list operations document their limit");
}

#[tokio::test]
async fn the_openapi_document_and_the_router_list_the_same_operations() {
    // With a metrics token, so `/metrics` exists too.
    let app = spawn_app_with(|s| s.metrics_token = Some("a-metrics-token-of-some-length".into())).await;
    let doc: Value = app.api.get(app.url("/api/v1/openapi.json")).send().await.unwrap().json().await.unwrap();
    let mut documented: Vec<(String, String)> = Vec::new();
    for (path, ops) in doc["paths"].as_object().unwrap() {
        for method in ops.as_object().unwrap().keys() {
            documented.push((method.clone(), path.clone()));
        }
    }
    documented.sort();
    let mut routed: Vec<(String, String)> =
        jetson::web::router::API_ROUTES.iter().map(|(m, p)| (m.to_string(), p.to_string())).collect();
    routed.sort();
    assert_eq!(documented, routed);
    // Every listed route is really routed: an unauthenticated call is answered by the handler
    // (401 or 200), never by the fallback's 404 or a 405.
    for (method, path) in &routed {
        let url = app.url(&path.replace("{id}", "0191b5a0-0000-7000-8000-000000000000"));
        let res = match method.as_str() {
            "get" => app.api.get(url).send().await.unwrap(),
            _ => app.api.post(url).json(&json!({})).send().await.unwrap(),
        };
        assert!([200, 401].contains(&res.status().as_u16()), "{method} {path}: {}", res.status());
    }
}

/// Tenant isolation and write protection, over every API route the router lists: another
/// organisation's token gets 404 for each of our objects (and empty lists), and a viewer or a
/// read-only token gets 403 for every write. A route added to `API_ROUTES` without a probe here
/// fails the test.
#[tokio::test]
async fn every_api_route_hides_other_organisations_objects_and_refuses_writes_without_the_right() {
    let app = spawn_app().await;
    app.import(
        "Ledgerly",
        &[
            conversation("1", "a@one.example", "Export broken", "The PDF export is blank for every invoice."),
            conversation("2", "b@two.example", "Dark mode", "Please add a dark mode to the dashboard."),
        ],
    )
    .await;
    let items: Value = app.get_api("/api/v1/work-items").await.json().await.unwrap();
    let (item, other_item) = (items["items"][0]["id"].as_str().unwrap(), items["items"][1]["id"].as_str().unwrap());
    let convs: Value = app.get_api("/api/v1/conversations").await.json().await.unwrap();
    let conv = convs["items"][0]["id"].as_str().unwrap();
    let report = jetson_store::reports::for_conversation(&app.state.db, app.org, conv.parse().unwrap())
        .await
        .unwrap()
        .remove(0)
        .id
        .to_string();

    let other_org = jetson::services::accounts::ensure_org(&app.state, "Other").await.unwrap();
    let stranger = jetson_domain::Email::parse("owner@other.example").unwrap();
    let (user, _) =
        jetson::services::accounts::create_user(&app.state, other_org, &stranger, "O", Role::Owner).await.unwrap();
    let (_, theirs) =
        jetson::services::accounts::create_token(&app.state, other_org, user, "t", Scope::Admin, None, None)
            .await
            .unwrap();
    let viewer = app.token_for("viewer@test.example", Role::Viewer, "admin").await;
    let read_only = app.token_for("member@test.example", Role::Member, "read").await;

    let call = |method: &str, path: &str, token: &str, body: &Value| {
        let request = match method {
            "get" => app.api.get(app.url(path)),
            _ => app.api.post(app.url(path)).json(body),
        };
        request.bearer_auth(token).send()
    };
    let mut probed = 0;
    for (method, route) in jetson::web::router::API_ROUTES {
        // (the path with our object's id, a valid body)
        let (path, body) = match *route {
            // Open to all, or signed by the provider per connection (tested in their suites).
            "/healthz"
            | "/readyz"
            | "/metrics"
            | "/api/v1/openapi.json"
            | "/webhooks/helpscout/{connection}"
            | "/webhooks/github/{connection}" => {
                continue;
            }
            "/api/v1/work-items" | "/api/v1/conversations" => (route.to_string(), json!({})),
            "/api/v1/work-items/{id}" | "/api/v1/work-items/{id}/unmerge" => (route.replace("{id}", item), json!({})),
            "/api/v1/work-items/{id}/status" => (route.replace("{id}", item), json!({"status": "resolved"})),
            "/api/v1/work-items/{id}/merge" => (route.replace("{id}", item), json!({"into": other_item})),
            "/api/v1/reports/{id}/move" => (route.replace("{id}", &report), json!({"work_item": other_item})),
            "/api/v1/conversations/{id}" => (route.replace("{id}", conv), json!({})),
            "/api/v1/conversations/{id}/reclassify" => (route.replace("{id}", conv), json!({"category": "no_action"})),
            other => panic!("no probe for {method} {other}: add one"),
        };
        probed += 1;
        let res = call(method, &path, &theirs, &body).await.unwrap();
        if route.contains("{id}") {
            assert_eq!(res.status(), 404, "another organisation's token, {method} {path}");
        } else {
            assert_eq!(res.status(), 200);
            let listed: Value = res.json().await.unwrap();
            assert!(listed["items"].as_array().unwrap().is_empty(), "{path} lists nothing of ours to them");
        }
        if *method == "post" {
            for (who, token) in [("a viewer (admin-scoped token)", &viewer), ("a read-only token", &read_only)] {
                let res = call(method, &path, token, &body).await.unwrap();
                assert_eq!(res.status(), 403, "{who}, {method} {path}");
            }
        }
    }
    assert_eq!(probed, 9);
    // Nothing changed: the writes above were all refused.
    let after: Value = app.get_api(&format!("/api/v1/work-items/{item}")).await.json().await.unwrap();
    assert_eq!(after["status"], "open");
}

#[tokio::test]
async fn what_an_admin_scoped_token_changes_is_audited_and_its_reads_are_not() {
    let app = spawn_app().await;
    app.import("Ledgerly", &[conversation("1", "a@one.example", "Export broken", "The PDF export is blank.")]).await;
    let items: Value = app.get_api("/api/v1/work-items").await.json().await.unwrap();
    let item = items["items"][0]["id"].as_str().unwrap().to_string();
    let admin_token = app.token_for("boss@test.example", Role::Admin, "admin").await;
    let status = format!("/api/v1/work-items/{item}/status");
    let res = app.api.get(app.url("/api/v1/work-items")).bearer_auth(&admin_token).send().await.unwrap();
    assert_eq!(res.status(), 200);
    let res = app.api.post(app.url(&status)).bearer_auth(&admin_token).json(&json!({"status": "resolved"})).send();
    assert_eq!(res.await.unwrap().status(), 200);
    // The suite's own token is write-scoped: its change is not a use of admin scope.
    assert_eq!(app.post_api(&status, json!({"status": "open"})).await.status(), 200);

    let used = jetson_store::audit::list(&app.state.db, app.org, Some("token.admin_use"), 10).await.unwrap();
    assert_eq!(used.len(), 1, "{used:?}");
    assert_eq!(used[0].actor, "boss@test.example");
    assert_eq!(used[0].detail, format!("POST {status}"));
}

#[tokio::test]
async fn a_work_items_reports_come_a_page_at_a_time_in_the_api_and_on_its_page() {
    let app = spawn_app().await;
    let convs = crate::helpers::same_problem_from(120);
    app.import("Ledgerly", &convs).await;
    let items: Value = app.get_api("/api/v1/work-items").await.json().await.unwrap();
    let top = items["items"].as_array().unwrap().iter().max_by_key(|i| i["reports"].as_i64()).unwrap().clone();
    let (id, total) = (top["id"].as_str().unwrap().to_string(), top["reports"].as_i64().unwrap());
    assert!(total > 100, "one item gathers the reports: {total}");

    let mut seen = std::collections::HashSet::new();
    let mut offset = Some(0);
    let mut pages = 0;
    while let Some(at) = offset {
        let page: Value = app
            .get_api(&format!("/api/v1/work-items/{id}?report_limit=50&report_offset={at}"))
            .await
            .json()
            .await
            .unwrap();
        let list = page["report_list"].as_array().unwrap();
        assert!(list.len() <= 50);
        seen.extend(list.iter().map(|r| r["id"].as_str().unwrap().to_string()));
        offset = page["reports_next_offset"].as_i64();
        pages += 1;
    }
    assert_eq!((seen.len() as i64, pages), (total, (total + 49) / 50), "every report once, in pages");
    let first: Value = app.get_api(&format!("/api/v1/work-items/{id}")).await.json().await.unwrap();
    assert_eq!(first["report_list"].as_array().unwrap().len(), 50, "50 by default");
    let bad = app.get_api(&format!("/api/v1/work-items/{id}?report_limit=500")).await;
    assert_eq!(bad.status(), 422);

    let client = crate::pages::signed_in(&app).await;
    let html = client.get(app.url(&format!("/items/{id}"))).send().await.unwrap().text().await.unwrap();
    assert!(html.contains(&format!("Reports ({total})")) && html.contains("id=\"reports-next\""));
    assert_eq!(html.matches("<blockquote>").count(), 50);
    let last = (total + 49) / 50;
    let html = client.get(app.url(&format!("/items/{id}?page={last}"))).send().await.unwrap().text().await.unwrap();
    assert_eq!(html.matches("<blockquote>").count() as i64, total - (last - 1) * 50);
    assert!(html.contains("id=\"reports-prev\"") && !html.contains("id=\"reports-next\""));
}
