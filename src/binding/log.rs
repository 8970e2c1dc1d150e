//! Forwards the engine's `tracing` events to the Backstage logger of the plugin.

use std::collections::HashMap;
use std::fmt::Write as _;

use napi::threadsafe_function::ThreadsafeFunctionCallMode;
use tracing::field::{Field, Visit};
use tracing::{Event, Level, Metadata, Subscriber};
use tracing_subscriber::layer::{Context, Layer};
use tracing_subscriber::prelude::*;

use super::callbacks::{LogFn, LogRecord};

struct JsLogLayer {
    log: LogFn,
    max: Level,
}

#[derive(Default)]
struct Fields {
    message: String,
    fields: HashMap<String, String>,
}

impl Visit for Fields {
    fn record_str(&mut self, field: &Field, value: &str) {
        if field.name() == "message" {
            self.message.push_str(value);
        } else {
            self.fields
                .insert(field.name().to_owned(), value.to_owned());
        }
    }

    fn record_debug(&mut self, field: &Field, value: &dyn std::fmt::Debug) {
        if field.name() == "message" {
            let _ = write!(self.message, "{value:?}");
        } else {
            self.fields
                .insert(field.name().to_owned(), format!("{value:?}"));
        }
    }
}

impl<S: Subscriber> Layer<S> for JsLogLayer {
    fn enabled(&self, metadata: &Metadata<'_>, _ctx: Context<'_, S>) -> bool {
        *metadata.level() <= self.max
    }

    fn on_event(&self, event: &Event<'_>, _ctx: Context<'_, S>) {
        let mut fields = Fields::default();
        event.record(&mut fields);
        let level = match *event.metadata().level() {
            Level::ERROR => "error",
            Level::WARN => "warn",
            Level::INFO => "info",
            _ => "debug",
        };
        self.log.call(
            LogRecord {
                level: level.to_owned(),
                message: fields.message,
                fields: fields.fields,
            },
            ThreadsafeFunctionCallMode::NonBlocking,
        );
    }
}

/// A dispatcher of the engine's own, sending events at `max` or above to `log`.
pub fn dispatch(log: LogFn, max: Level) -> tracing::Dispatch {
    tracing::Dispatch::new(tracing_subscriber::registry().with(JsLogLayer { log, max }))
}
