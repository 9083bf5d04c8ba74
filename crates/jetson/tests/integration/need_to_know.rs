//! Need-to-know: a member limited to some products sees nothing of the others, through every API
//! route the router lists and every page that lists or shows work: not in lists, not in product
//! menus, and 404 for their objects, exactly as for another organisation's.

use crate::helpers::WithLoginCsrf;
use jetson_domain::{Email, ProductId, Role, UserId};
use serde_json::{Value, json};

use crate::helpers::{TestApp, conversation, spawn_app};
use crate::pages::{csrf_of, signed_in};

struct Two {
    app: TestApp,
    ledgerly: ProductId,
    dosecraft: ProductId,
}

/// Two products with one bug report each (and a feature request in Ledgerly).
async fn two_products() -> Two {
    let app = spawn_app().await;
    app.import(
        "Ledgerly",
        &[
            conversation("l1", "a@one.example", "Export broken", "The PDF export is blank for every invoice."),
            conversation("l2", "b@two.example", "Dark mode", "Please add a dark mode to the dashboard."),
        ],
    )
    .await;
    app.import(
        "Dosecraft",
        &[conversation("d1", "c@three.example", "Pump stops", "The dosing pump stops after an hour, every time.")],
    )
    .await;
    let product = |name: &'static str| {
        let db = app.state.db.clone();
        let org = app.org;
        async move { jetson_store::products::find_by_name(&db, org, name).await.unwrap().unwrap().id }
    };
    let (ledgerly, dosecraft) = (product("Ledgerly").await, product("Dosecraft").await);
    Two { app, ledgerly, dosecraft }
}

async fn user_id(app: &TestApp, email: &str) -> UserId {
    jetson_store::users::find_by_email(&app.state.db, &Email::parse(email).unwrap()).await.unwrap().unwrap().id
}

/// An admin limits `email` to these products through Settings → Members (None: all products).
async fn limit(app: &TestApp, admin: &reqwest::Client, email: &str, products: Option<&[ProductId]>) -> u16 {
    let page = admin.get(app.url("/settings/members")).send().await.unwrap().text().await.unwrap();
    let mut form = vec![("csrf".to_string(), csrf_of(&page))];
    match products {
        None => form.push(("access".into(), "all".into())),
        Some(ids) => {
            form.push(("access".into(), "only".into()));
            form.extend(ids.iter().map(|p| ("product".to_string(), p.to_string())));
        }
    }
    let path = format!("/settings/members/{}/products", user_id(app, email).await);
    admin.post(app.url(&path)).form(&form).send().await.unwrap().status().as_u16()
}

fn ids(page: &Value) -> Vec<String> {
    page["items"].as_array().unwrap().iter().map(|i| i["id"].as_str().unwrap().to_string()).collect()
}

#[tokio::test]
async fn a_member_limited_to_one_product_gets_404_for_the_others_objects_on_every_api_route() {
    let Two { app, ledgerly, dosecraft } = two_products().await;
    let token = app.token_for("max@test.example", Role::Member, "write").await;
    let admin = signed_in(&app).await;
    assert_eq!(limit(&app, &admin, "max@test.example", Some(&[ledgerly])).await, 303);

    let items: Value = app.get_api("/api/v1/work-items").await.json().await.unwrap();
    let of = |product: ProductId| -> Vec<String> {
        let name = if product == ledgerly { "Ledgerly" } else { "Dosecraft" };
        items["items"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|i| i["product"] == name)
            .map(|i| i["id"].as_str().unwrap().to_string())
            .collect()
    };
    let (mine, hidden) = (of(ledgerly), of(dosecraft));
    assert_eq!((mine.len(), hidden.len()), (2, 1), "{items}");
    let convs: Value = app.get_api("/api/v1/conversations").await.json().await.unwrap();
    let conv_of = |subject: &str| {
        convs["items"].as_array().unwrap().iter().find(|c| c["subject"] == subject).unwrap()["id"]
            .as_str()
            .unwrap()
            .to_string()
    };
    let (my_conv, hidden_conv) = (conv_of("Export broken"), conv_of("Pump stops"));
    let report_of = |conv: &str| {
        let db = app.state.db.clone();
        let (org, conv) = (app.org, conv.parse().unwrap());
        async move { jetson_store::reports::for_conversation(&db, org, conv).await.unwrap().remove(0).id.to_string() }
    };
    let hidden_report = report_of(&hidden_conv).await;

    let call = |method: &str, path: &str, body: &Value| {
        let request = match method {
            "get" => app.api.get(app.url(path)),
            _ => app.api.post(app.url(path)).json(body),
        };
        request.bearer_auth(&token).send()
    };
    let mut probed = 0;
    for (method, route) in jetson::web::router::API_ROUTES {
        // Each probe touches the hidden product's object; moves and merges also try both ways.
        let probes: Vec<(String, Value)> = match *route {
            "/healthz"
            | "/readyz"
            | "/metrics"
            | "/api/v1/openapi.json"
            | "/webhooks/helpscout/{connection}"
            | "/webhooks/github/{connection}" => {
                continue;
            }
            "/api/v1/work-items" | "/api/v1/conversations" => {
                let listed: Value = call(method, route, &json!({})).await.unwrap().json().await.unwrap();
                let listed = ids(&listed);
                assert!(!listed.is_empty(), "{route} lists the product they see");
                assert!(!listed.iter().any(|i| hidden.contains(i) || *i == hidden_conv), "{route} hides the other");
                let named = call(method, &format!("{route}?product=Dosecraft"), &json!({})).await.unwrap();
                // The same answer, but for the request id every answer has its own of.
                let answer = |res: reqwest::Response| async move {
                    let mut body: Value = res.json().await.unwrap();
                    body["error"].as_object_mut().unwrap().remove("request_id");
                    body
                };
                let status = named.status();
                let body = answer(named).await;
                let unknown = call(method, &format!("{route}?product=Nonesuch"), &json!({})).await.unwrap();
                assert_eq!((status, body), (unknown.status(), answer(unknown).await), "as if it did not exist");
                assert_eq!(status, 422);
                probed += 1;
                continue;
            }
            "/api/v1/work-items/{id}" | "/api/v1/work-items/{id}/unmerge" => {
                vec![(route.replace("{id}", &hidden[0]), json!({}))]
            }
            "/api/v1/work-items/{id}/status" => {
                vec![(route.replace("{id}", &hidden[0]), json!({"status": "resolved"}))]
            }
            "/api/v1/work-items/{id}/merge" => vec![
                (route.replace("{id}", &hidden[0]), json!({"into": mine[0]})),
                (route.replace("{id}", &mine[0]), json!({"into": hidden[0]})),
            ],
            "/api/v1/reports/{id}/move" => {
                let my_report = report_of(&my_conv).await;
                vec![
                    (route.replace("{id}", &hidden_report), json!({"work_item": mine[0]})),
                    (route.replace("{id}", &my_report), json!({"work_item": hidden[0]})),
                ]
            }
            "/api/v1/conversations/{id}" => vec![(route.replace("{id}", &hidden_conv), json!({}))],
            "/api/v1/conversations/{id}/reclassify" => {
                vec![(route.replace("{id}", &hidden_conv), json!({"category": "no_action"}))]
            }
            other => panic!("no probe for {method} {other}: add one"),
        };
        probed += 1;
        for (path, body) in probes {
            let res = call(method, &path, &body).await.unwrap();
            assert_eq!(res.status(), 404, "{method} {path} {body}");
        }
    }
    assert_eq!(probed, 9);
    // Their own product's objects still answer, and nothing of the other changed.
    assert_eq!(call("get", &format!("/api/v1/work-items/{}", mine[0]), &json!({})).await.unwrap().status(), 200);
    assert_eq!(call("get", &format!("/api/v1/conversations/{my_conv}"), &json!({})).await.unwrap().status(), 200);
    let after: Value = app.get_api(&format!("/api/v1/work-items/{}", hidden[0])).await.json().await.unwrap();
    assert_eq!(
        (after["status"].as_str(), after["reports"].as_i64(), &after["merged_into"]),
        (Some("open"), Some(1), &Value::Null)
    );
}

#[tokio::test]
async fn a_limited_member_sees_only_their_products_on_every_page_and_admins_set_it_on_members() {
    let Two { app, ledgerly, dosecraft } = two_products().await;
    let email = Email::parse("vic@test.example").unwrap();
    let (_, password) =
        jetson::services::accounts::create_user(&app.state, app.org, &email, "Vic", Role::Viewer).await.unwrap();
    let admin = signed_in(&app).await;
    assert_eq!(limit(&app, &admin, "vic@test.example", Some(&[dosecraft])).await, 303);
    let members = admin.get(app.url("/settings/members")).send().await.unwrap().text().await.unwrap();
    assert!(members.contains("id=\"sees-vic@test.example\">Dosecraft<"), "the members page says what they see");
    let audit = jetson_store::audit::list(&app.state.db, app.org, Some("member.products"), 10).await.unwrap();
    assert_eq!(audit.len(), 1);

    let vic =
        reqwest::Client::builder().cookie_store(true).redirect(reqwest::redirect::Policy::none()).build().unwrap();
    let res = vic
        .post(app.url("/login"))
        .with_login_csrf()
        .form(&[("email", "vic@test.example"), ("password", &password)])
        .send();
    assert_eq!(res.await.unwrap().status(), 303);
    let get = |path: String| {
        let vic = vic.clone();
        let url = app.url(&path);
        async move {
            let res = vic.get(url).send().await.unwrap();
            (res.status().as_u16(), res.text().await.unwrap())
        }
    };
    for path in ["/items", "/board", "/messages", "/", "/items?status=open", "/github/queue"] {
        let (status, html) = get(path.to_string()).await;
        assert_eq!(status, 200, "{path}");
        assert!(!html.contains("Ledgerly") && !html.contains("Export broken"), "{path} shows nothing of Ledgerly");
    }
    let (_, items) = get("/items".into()).await;
    assert!(items.contains("Dosecraft"), "their own product is listed");
    assert!(!items.contains("href=\"/settings/integrations\""), "a viewer is not offered the admins' settings");

    let item = jetson_store::work_items::list(&app.state.db, app.org, &Default::default(), None, 10).await.unwrap();
    let hidden_item = item.iter().find(|w| w.product_id == ledgerly).unwrap().id;
    let own_item = item.iter().find(|w| w.product_id == dosecraft).unwrap().id;
    let convs = jetson_store::conversations::list(
        &app.state.db,
        app.org,
        &jetson_store::conversations::Filter { limit: 10, ..Default::default() },
    )
    .await
    .unwrap();
    let hidden_conv = convs.iter().find(|c| c.product_id == ledgerly).unwrap().id;
    assert_eq!(get(format!("/items/{hidden_item}")).await.0, 404);
    assert_eq!(get(format!("/conversations/{hidden_conv}")).await.0, 404);
    assert_eq!(get(format!("/items/{own_item}")).await.0, 200);
    assert!(!get(format!("/items?product={ledgerly}")).await.1.contains("Export broken"), "a hidden product as filter");

    // Limited to nothing: nothing. All products again: everything.
    assert_eq!(limit(&app, &admin, "vic@test.example", Some(&[])).await, 303);
    assert!(!get("/items".into()).await.1.contains("Pump stops"));
    assert_eq!(limit(&app, &admin, "vic@test.example", None).await, 303);
    let (_, html) = get("/items".into()).await;
    assert!(html.contains("Pump stops") && html.contains("Export broken"));

    // Owners and admins see every product: a limit is refused for them, and promotion lifts one.
    assert_eq!(limit(&app, &admin, "admin@test.example", Some(&[ledgerly])).await, 409);
    assert_eq!(limit(&app, &admin, "vic@test.example", Some(&[dosecraft])).await, 303);
    let csrf = csrf_of(&admin.get(app.url("/settings/members")).send().await.unwrap().text().await.unwrap());
    let vic_id = user_id(&app, "vic@test.example").await;
    let res = admin
        .post(app.url(&format!("/settings/members/{vic_id}/role")))
        .form(&[("csrf", csrf.as_str()), ("role", "admin")])
        .send();
    assert_eq!(res.await.unwrap().status(), 303);
    assert_eq!(jetson_store::product_access::limited_to(&app.state.db, app.org, vic_id).await.unwrap(), None);
}
