//! What a function must look like to carry `#[filch::main]` or `#[filch::test]`.
//!
//! The attribute turns `async fn name() -> R { body }` into a plain `fn name() -> R` that
//! builds a runtime and blocks on the body. That only makes sense for an `async fn` that takes
//! no arguments (nobody would pass them) and has no generic parameters (nobody would choose
//! them). Each violation is reported at its own span, all of them at once.

use syn::ItemFn;

use crate::entry::Entry;

/// Returns every reason `item` cannot carry `entry`, combined into one error, or `Ok`.
pub(crate) fn check(entry: Entry, item: &ItemFn) -> syn::Result<()> {
    let sig = &item.sig;
    let mut problems: Vec<syn::Error> = Vec::new();

    if sig.asyncness.is_none() {
        problems.push(syn::Error::new_spanned(
            sig.fn_token,
            format!("{entry} needs an `async fn`: add `async` before `fn`"),
        ));
    }
    if !sig.generics.params.is_empty() {
        problems.push(syn::Error::new_spanned(
            &sig.generics,
            format!("{entry} cannot run a generic function: nobody would choose its generic parameters; remove them"),
        ));
    } else if let Some(clause) = &sig.generics.where_clause {
        problems.push(syn::Error::new_spanned(
            clause,
            format!("{entry} cannot run a function with a `where` clause; remove it"),
        ));
    }
    if !sig.inputs.is_empty() || sig.variadic.is_some() {
        let caller = match entry {
            Entry::Main => "the runtime",
            Entry::Test => "the test harness",
        };
        problems.push(syn::Error::new(
            sig.paren_token.span.join(),
            format!(
                "{entry} functions take no arguments: {caller} calls `{}` with none; remove them",
                sig.ident
            ),
        ));
    }
    if entry == Entry::Test {
        if let Some(attr) = item.attrs.iter().find(|attr| is_test_attribute(attr)) {
            problems.push(syn::Error::new_spanned(
                attr,
                format!("{entry} adds `#[test]` itself: remove this test attribute"),
            ));
        }
    }

    problems
        .into_iter()
        .reduce(|mut all, next| {
            all.combine(next);
            all
        })
        .map_or(Ok(()), Err)
}

/// `#[test]`, `#[core::prelude::v1::test]`, `#[tokio::test]`...: any attribute named `test`.
fn is_test_attribute(attr: &syn::Attribute) -> bool {
    attr.path()
        .segments
        .last()
        .is_some_and(|segment| segment.ident == "test")
}

#[cfg(test)]
mod tests {
    use super::*;
    use syn::parse_quote;

    fn messages(entry: Entry, item: ItemFn) -> Vec<String> {
        match check(entry, &item) {
            Ok(()) => Vec::new(),
            Err(err) => err.into_iter().map(|e| e.to_string()).collect(),
        }
    }

    #[test]
    fn async_fn_without_arguments_is_accepted() {
        let main: ItemFn = parse_quote!(
            async fn main() -> Result<(), String> {
                Ok(())
            }
        );
        assert!(messages(Entry::Main, main).is_empty());
        let test: ItemFn = parse_quote!(
            #[should_panic(expected = "boom")]
            async fn it_panics() {
                panic!("boom")
            }
        );
        assert!(messages(Entry::Test, test).is_empty());
    }

    #[test]
    fn missing_async_is_reported() {
        let item: ItemFn = parse_quote!(
            fn main() {}
        );
        assert_eq!(
            messages(Entry::Main, item),
            ["#[filch::main] needs an `async fn`: add `async` before `fn`"]
        );
    }

    #[test]
    fn arguments_are_reported_with_their_caller() {
        let item: ItemFn = parse_quote!(
            async fn main(args: Vec<String>) {}
        );
        assert_eq!(
            messages(Entry::Main, item),
            ["#[filch::main] functions take no arguments: the runtime calls `main` with none; remove them"]
        );
        let item: ItemFn = parse_quote!(
            async fn adds(a: u32, b: u32) {}
        );
        assert_eq!(
            messages(Entry::Test, item),
            ["#[filch::test] functions take no arguments: the test harness calls `adds` with none; remove them"]
        );
    }

    #[test]
    fn generics_and_where_clauses_are_reported() {
        let item: ItemFn = parse_quote!(
            async fn main<T: Default>() {}
        );
        assert_eq!(
            messages(Entry::Main, item),
            ["#[filch::main] cannot run a generic function: nobody would choose its generic parameters; remove them"]
        );
        let item: ItemFn = parse_quote!(
            async fn main()
            where
                u8: Copy,
            {
            }
        );
        assert_eq!(
            messages(Entry::Main, item),
            ["#[filch::main] cannot run a function with a `where` clause; remove it"]
        );
    }

    #[test]
    fn a_second_test_attribute_is_reported() {
        for item in [
            parse_quote!(
                #[test]
                async fn twice() {}
            ),
            parse_quote!(
                #[tokio::test]
                async fn twice() {}
            ),
        ] {
            assert_eq!(
                messages(Entry::Test, item),
                ["#[filch::test] adds `#[test]` itself: remove this test attribute"]
            );
        }
    }

    #[test]
    fn every_problem_is_reported_at_once() {
        let item: ItemFn = parse_quote!(
            fn main<T>(x: T) {}
        );
        assert_eq!(messages(Entry::Main, item).len(), 3);
    }
}
