//! Policy as code: Rego policies evaluated over a JSON input document.
