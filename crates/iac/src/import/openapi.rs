//! An API's inline OpenAPI definition, wherever it is written: a SAM API's
//! `DefinitionBody`, or the `Body` of an `AWS::ApiGateway::RestApi` or an
//! `AWS::ApiGatewayV2::Api`. One reading for all three: each method's
//! `x-amazon-apigateway-integration` is an integration of the API (a
//! Lambda function it invokes, or an AWS service it calls), and each
//! security scheme's `x-amazon-apigateway-authorizer` a Lambda authorizer
//! with its settings (API Gateway Developer Guide, "Working with API
//! Gateway extensions to OpenAPI",
//! https://docs.aws.amazon.com/apigateway/latest/developerguide/api-gateway-swagger-extensions.html).
//! A definition in a file beside the template (an `AWS::Include`'s
//! `Location`, SAM's `DefinitionUri`) is read from there; one in S3
//! (`BodyS3Location`, an `s3://` location) or missing is not, and the
//! import report says so.

use super::*;

/// The OpenAPI extension that holds a method's integration.
const INTEGRATION: &str = "x-amazon-apigateway-integration";
/// The OpenAPI extension that makes a security scheme an authorizer.
const AUTHORIZER: &str = "x-amazon-apigateway-authorizer";

impl Importer<'_> {
    /// Reads the definition `body` of the API `api` (a logical id);
    /// `rest`: a REST API (Swagger 2 / OpenAPI 3 with REST authorizer
    /// fields), else an HTTP API. `holder` names where the definition is
    /// written (`Api DefinitionBody`, `Api Body`), for the evidence.
    pub(super) fn openapi_definition(&mut self, api: &str, body: &Value, rest: bool, holder: &str) {
        if let Some(include) = body.get("Fn::Transform") {
            let location = include
                .get("Parameters")
                .and_then(|p| p.get("Location"))
                .and_then(Value::as_str)
                .unwrap_or("?");
            self.openapi_file(api, location, rest, holder, "AWS::Include of");
            return;
        }
        let mut integrations = Vec::new();
        openapi_integrations(body, &mut Vec::new(), &mut integrations);
        // A reusable integration (OpenAPI 3's
        // `components.x-amazon-apigateway-integrations`) referenced by `$ref`.
        for (_, integration) in &mut integrations {
            if let Some(target) = integration
                .get("$ref")
                .and_then(Value::as_str)
                .and_then(|r| r.strip_prefix('#'))
                .and_then(|pointer| body.pointer(pointer))
            {
                *integration = target;
            }
        }
        if integrations.is_empty() {
            // A definition that says no more than the resources it names.
            self.integration(api, body, &format!("{holder} (no {INTEGRATION})"));
        }
        for (at, integration) in integrations {
            self.integration(api, integration, &format!("{holder} {at} ({INTEGRATION})"));
        }
        let fields = if rest {
            &api_gateway::OPENAPI_REST_AUTHORIZER
        } else {
            &api_gateway::OPENAPI_HTTP_AUTHORIZER
        };
        for (name, scheme) in openapi_authorizers(body) {
            let why = format!("{holder} security scheme {name} ({AUTHORIZER})");
            self.authorizer(api, scheme, fields, &why);
        }
    }

    /// Reads the definition of `api` from the file `location` beside the
    /// template (an `AWS::Include`'s, a SAM `DefinitionUri`'s), for
    /// inference only: the kept template keeps the reference. A file that
    /// is not there (or in S3) is reported unread.
    pub(super) fn openapi_file(
        &mut self,
        api: &str,
        location: &str,
        rest: bool,
        holder: &str,
        how: &str,
    ) {
        let definition = self
            .dir
            .as_ref()
            .filter(|_| !location.starts_with("s3://"))
            .map(|d| d.join(location))
            .filter(|p| p.is_file())
            .and_then(|p| std::fs::read_to_string(p).ok())
            .and_then(|text| parse(&text, location).ok())
            .map(|parsed| parsed.value)
            .filter(Value::is_object);
        match definition {
            Some(definition) => {
                self.report
                    .kept
                    .push(format!("{api}: OpenAPI definition read from {location}"));
                let holder = format!("{holder} ({how} {location})");
                self.openapi_definition(api, &definition, rest, &holder);
            }
            None => self.openapi_elsewhere(api, &format!("{how} {location}")),
        }
    }

    /// Says that the definition of `api`, kept at `key` outside the
    /// template, was not read.
    pub(super) fn openapi_elsewhere(&mut self, api: &str, key: &str) {
        self.report.kept.push(format!(
            "{api}: its OpenAPI definition ({key}) is outside the template and was not read: \
             its integrations and authorizers are not drawn (connect them on the canvas)"
        ));
    }
}

/// Every `x-amazon-apigateway-integration` object in an OpenAPI
/// definition, with where it is: `POST /orders` for a path's method,
/// else the keys that lead to it.
fn openapi_integrations<'v>(
    v: &'v Value,
    keys: &mut Vec<&'v str>,
    out: &mut Vec<(String, &'v Value)>,
) {
    match v {
        Value::Object(m) => {
            for (k, child) in m {
                if k == INTEGRATION {
                    let at = match keys.as_slice() {
                        ["paths", path, method] => {
                            let method = method
                                .strip_prefix("x-amazon-apigateway-")
                                .and_then(|m| m.strip_suffix("-method"))
                                .unwrap_or(method);
                            format!("{} {path}", method.to_ascii_uppercase())
                        }
                        _ => keys.join("."),
                    };
                    out.push((at, child));
                } else {
                    keys.push(k);
                    openapi_integrations(child, keys, out);
                    keys.pop();
                }
            }
        }
        Value::Array(a) => a.iter().for_each(|c| openapi_integrations(c, keys, out)),
        _ => {}
    }
}

/// The security schemes of an OpenAPI definition that are API Gateway
/// authorizers (`x-amazon-apigateway-authorizer`): Swagger 2's
/// `securityDefinitions` and OpenAPI 3's `components.securitySchemes`.
fn openapi_authorizers(body: &Value) -> Vec<(&str, &Value)> {
    [
        body.get("securityDefinitions"),
        body.get("components")
            .and_then(|c| c.get("securitySchemes")),
    ]
    .into_iter()
    .flatten()
    .filter_map(Value::as_object)
    .flat_map(|schemes| schemes.iter())
    .filter(|(_, scheme)| scheme.get(AUTHORIZER).is_some())
    .map(|(name, scheme)| (name.as_str(), scheme))
    .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn integrations_are_found_with_their_method_and_path() {
        let body = json!({"paths": {
            "/orders": {"post": {INTEGRATION: {"uri": "a"}},
                        "x-amazon-apigateway-any-method": {INTEGRATION: {"uri": "b"}}}},
            "x-elsewhere": [{INTEGRATION: {"uri": "c"}}]});
        let mut out = Vec::new();
        openapi_integrations(&body, &mut Vec::new(), &mut out);
        let at: Vec<&str> = out.iter().map(|(at, _)| at.as_str()).collect();
        assert_eq!(at, ["POST /orders", "ANY /orders", "x-elsewhere"]);
    }
}
