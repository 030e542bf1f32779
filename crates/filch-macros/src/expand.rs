//! The code an entry-point attribute generates.
//!
//! ```text
//! #[filch::test(worker_threads = 4)]          #[::core::prelude::v1::test]
//! async fn name() -> R { body }        ==>    fn name() -> R {
//!                                                 async fn name() -> R { body }
//!                                                 let runtime = ::filch::Builder::new()
//!                                                     .worker_threads(4usize)
//!                                                     .build()
//!                                                     .expect("...");
//!                                                 runtime.block_on(name())
//!                                             }
//! ```
//!
//! The body stays an `async fn` of its own, nested in the generated one, instead of becoming
//! an `async` block: its declared return type then types `?` and `return` in the body exactly
//! as the user wrote them (an async block would have to infer its output), and a panic or a
//! backtrace still names the user's function.
//!
//! When the function itself is wrong (see [`signature`](crate::signature)) the output is the
//! error plus an empty `fn name() {}`, so that the compiler reports our message alone instead
//! of also "`main` function not found" or errors inside a body that cannot run anyway. When
//! only the attribute's arguments are wrong, the function is generated with default settings
//! next to the error, so its body is still checked.

use proc_macro2::TokenStream;
use quote::quote;
use syn::ItemFn;

use crate::args::RuntimeArgs;
use crate::entry::Entry;
use crate::signature;

/// Expands `entry` with attribute arguments `args` on `item`.
pub(crate) fn expand(entry: Entry, args: TokenStream, item: TokenStream) -> TokenStream {
    let function: ItemFn = match syn::parse2(item.clone()) {
        Ok(function) => function,
        Err(_) => {
            let error = syn::Error::new_spanned(
                &item,
                format!("{entry} goes on an `async fn`, not on this item"),
            );
            return with_error(item, error);
        }
    };
    let args = RuntimeArgs::parse(entry, args);
    if let Err(mut error) = signature::check(entry, &function) {
        if let Err(args_error) = args {
            error.combine(args_error);
        }
        return with_error(stand_in(&function), error);
    }
    match args {
        Ok(args) => generate(entry, args, function),
        Err(error) => with_error(generate(entry, RuntimeArgs::default(), function), error),
    }
}

/// The synchronous function that runs `function`'s body on a fresh runtime.
fn generate(entry: Entry, args: RuntimeArgs, function: ItemFn) -> TokenStream {
    let ItemFn {
        attrs,
        vis,
        sig,
        block,
    } = function;
    let mut outer = sig.clone();
    outer.asyncness = None;
    let name = &sig.ident;
    let test_marker = (entry == Entry::Test).then(|| quote!(#[::core::prelude::v1::test]));
    let worker_threads = args
        .worker_threads
        .or(entry.default_worker_threads())
        .map(|count| quote!(.worker_threads(#count)));
    let build_failed = format!("{entry}: the filch runtime could not be built");
    quote! {
        #test_marker
        #(#attrs)*
        #vis #outer {
            #sig #block
            let runtime = ::filch::Builder::new()
                #worker_threads
                .build()
                .expect(#build_failed);
            runtime.block_on(#name())
        }
    }
}

/// An empty function with `function`'s name, standing in while its signature is wrong.
///
/// It exists only so that uses of the name still resolve; the `allow` keeps the spanned
/// error the one diagnostic the user sees (a stand-in test is never called, for instance).
fn stand_in(function: &ItemFn) -> TokenStream {
    let ItemFn { vis, sig, .. } = function;
    let name = &sig.ident;
    quote! {
        #[allow(dead_code)]
        #vis fn #name() {}
    }
}

fn with_error(tokens: TokenStream, error: syn::Error) -> TokenStream {
    let error = error.to_compile_error();
    quote!(#tokens #error)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Asserts that expanding gives exactly `expected` (compared token by token).
    fn assert_expands(entry: Entry, args: TokenStream, item: TokenStream, expected: TokenStream) {
        assert_eq!(expand(entry, args, item).to_string(), expected.to_string());
    }

    fn is_compile_error(item: &syn::ItemMacro) -> bool {
        let last = item.mac.path.segments.last();
        last.is_some_and(|segment| segment.ident == "compile_error")
    }

    #[test]
    fn main_without_arguments_uses_the_builder_defaults() {
        assert_expands(
            Entry::Main,
            quote!(),
            quote! {
                /// Docs stay on the generated function.
                pub async fn main() -> Result<(), String> { Ok(()) }
            },
            quote! {
                /// Docs stay on the generated function.
                pub fn main() -> Result<(), String> {
                    async fn main() -> Result<(), String> { Ok(()) }
                    let runtime = ::filch::Builder::new()
                        .build()
                        .expect("#[filch::main]: the filch runtime could not be built");
                    runtime.block_on(main())
                }
            },
        );
    }

    #[test]
    fn main_with_worker_threads_sets_them() {
        assert_expands(
            Entry::Main,
            quote!(worker_threads = 3),
            quote!(
                async fn main() {}
            ),
            quote! {
                fn main() {
                    async fn main() {}
                    let runtime = ::filch::Builder::new()
                        .worker_threads(3usize)
                        .build()
                        .expect("#[filch::main]: the filch runtime could not be built");
                    runtime.block_on(main())
                }
            },
        );
    }

    #[test]
    fn test_gets_the_test_marker_and_two_workers() {
        assert_expands(
            Entry::Test,
            quote!(),
            quote! {
                #[should_panic]
                async fn fails() { panic!() }
            },
            quote! {
                #[::core::prelude::v1::test]
                #[should_panic]
                fn fails() {
                    async fn fails() { panic!() }
                    let runtime = ::filch::Builder::new()
                        .worker_threads(2usize)
                        .build()
                        .expect("#[filch::test]: the filch runtime could not be built");
                    runtime.block_on(fails())
                }
            },
        );
    }

    #[test]
    fn a_wrong_signature_gives_the_error_and_a_stand_in() {
        let output = expand(
            Entry::Test,
            quote!(),
            quote!(
                fn sync_test() {}
            ),
        );
        let file: syn::File = syn::parse2(output).unwrap();
        let [syn::Item::Fn(stand_in), syn::Item::Macro(error)] = &file.items[..] else {
            panic!("expected a stand-in and an error, got {}", quote!(#file));
        };
        assert_eq!(stand_in.sig.ident, "sync_test");
        assert!(stand_in.sig.asyncness.is_none() && stand_in.block.stmts.is_empty());
        assert!(is_compile_error(error));
        assert!(error.mac.tokens.to_string().contains("needs an `async fn`"));
    }

    #[test]
    fn bad_arguments_still_generate_the_function() {
        let output = expand(
            Entry::Main,
            quote!(worker_threads = 0),
            quote!(
                async fn main() {}
            ),
        );
        let file: syn::File = syn::parse2(output).unwrap();
        let [syn::Item::Fn(main), syn::Item::Macro(error)] = &file.items[..] else {
            panic!("expected the function and an error, got {}", quote!(#file));
        };
        assert!(main.sig.asyncness.is_none());
        assert!(is_compile_error(error));
        assert!(error.mac.tokens.to_string().contains("must be at least 1"));
    }

    #[test]
    fn a_non_function_item_is_kept_and_reported() {
        let output = expand(
            Entry::Main,
            quote!(),
            quote!(
                struct NotAFunction;
            ),
        )
        .to_string();
        assert!(output.starts_with("struct NotAFunction ;"), "{output}");
        assert!(
            output.contains("#[filch::main] goes on an `async fn`, not on this item"),
            "{output}"
        );
    }
}
