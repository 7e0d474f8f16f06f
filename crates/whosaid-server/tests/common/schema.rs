//! A small structural JSON Schema check for the OpenAPI document's schemas: types
//! (including OpenAPI 3.1 type lists for nullables), `$ref`, `oneOf`/`anyOf`/`allOf`,
//! `enum`, `required`, `items`, `format: date`, and — stricter than JSON Schema — no
//! properties that the schema does not list, so an undocumented field fails the test.

use serde_json::Value;

pub fn validate(doc: &Value, schema: &Value, v: &Value, at: &str) -> Result<(), String> {
    if let Some(r) = schema.get("$ref").and_then(Value::as_str) {
        let name = r
            .strip_prefix("#/components/schemas/")
            .ok_or_else(|| format!("{at}: unsupported $ref {r}"))?;
        let target = &doc["components"]["schemas"][name];
        if target.is_null() {
            return Err(format!("{at}: dangling $ref {r}"));
        }
        return validate(doc, target, v, at);
    }
    for key in ["oneOf", "anyOf"] {
        if let Some(options) = schema.get(key).and_then(Value::as_array) {
            let errors: Vec<String> = options
                .iter()
                .filter_map(|s| validate(doc, s, v, at).err())
                .collect();
            if errors.len() == options.len() {
                return Err(format!("{at}: matches no {key} branch: {errors:?}"));
            }
            return Ok(());
        }
    }
    if let Some(all) = schema.get("allOf").and_then(Value::as_array) {
        for s in all {
            validate(doc, s, v, at)?;
        }
        return Ok(());
    }
    if let Some(values) = schema.get("enum").and_then(Value::as_array) {
        if !values.contains(v) {
            return Err(format!("{at}: {v} not in enum {values:?}"));
        }
    }
    let types: Vec<&str> = match schema.get("type") {
        Some(Value::String(t)) => vec![t.as_str()],
        Some(Value::Array(ts)) => ts.iter().filter_map(Value::as_str).collect(),
        _ => vec![],
    };
    if !types.is_empty() {
        let ok = types.iter().any(|t| match *t {
            "null" => v.is_null(),
            "string" => v.is_string(),
            "boolean" => v.is_boolean(),
            "integer" => v.is_i64() || v.is_u64(),
            "number" => v.is_number(),
            "array" => v.is_array(),
            "object" => v.is_object(),
            _ => false,
        });
        if !ok {
            return Err(format!("{at}: {v} is not of type {types:?}"));
        }
    }
    if schema.get("format").and_then(Value::as_str) == Some("date") {
        if let Some(s) = v.as_str() {
            chrono::NaiveDate::parse_from_str(s, "%Y-%m-%d")
                .map_err(|_| format!("{at}: {s:?} is not a date"))?;
        }
    }
    if let Some(minimum) = schema.get("minimum").and_then(Value::as_f64) {
        if let Some(n) = v.as_f64() {
            if n < minimum {
                return Err(format!("{at}: {n} below minimum {minimum}"));
            }
        }
    }
    if let Value::Object(map) = v {
        let props = schema.get("properties").and_then(Value::as_object);
        if let Some(required) = schema.get("required").and_then(Value::as_array) {
            for r in required.iter().filter_map(Value::as_str) {
                if !map.contains_key(r) {
                    return Err(format!("{at}: missing required property {r}"));
                }
            }
        }
        if let Some(props) = props {
            for (k, val) in map {
                let s = props
                    .get(k)
                    .ok_or_else(|| format!("{at}: property {k} is not in the schema"))?;
                validate(doc, s, val, &format!("{at}.{k}"))?;
            }
        }
    }
    if let (Value::Array(items), Some(s)) = (v, schema.get("items")) {
        for (i, item) in items.iter().enumerate() {
            validate(doc, s, item, &format!("{at}[{i}]"))?;
        }
    }
    Ok(())
}
