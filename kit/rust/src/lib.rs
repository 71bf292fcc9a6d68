//! The guest side of wasmvec's buffer-and-kernel contract
//! (`wit/README.md` in the wasmvec repository), on stable Rust with no
//! generated glue: a crate whose `crate-type = ["cdylib"]` built for
//! `wasm32-wasip1` (or, with feature `rayon`, `wasm32-wasip1-threads`) is a
//! guest the host discovers from its export names.
//!
//! ```ignore
//! use wasmvec_guest::{buffer, kernel};
//!
//! buffer!(static X: [f32; 65_536] = "x"); // exports buffer-x-f32, capacity-x
//! buffer!(static Y: [f32; 65_536] = "y");
//!
//! kernel! {
//!     /// y[i] = a·x[i] + y[i] for i < len.
//!     fn axpy(a: f32, len: u32) {
//!         // SAFETY: the host runs one kernel of an instance at a time and
//!         // never touches the buffers while it runs; X and Y are distinct.
//!         let (x, y) = unsafe { (X.get(len as usize), Y.get_mut(len as usize)) };
//!         for (yi, xi) in y.iter_mut().zip(x) {
//!             *yi = a * *xi + *yi;
//!         }
//!     }
//! }
//! ```
//!
//! A length past a buffer's capacity panics in `get`; with
//! `panic = "abort"` that is a trap, and the host's error carries the panic
//! message (it keeps the first and last 512 bytes of the call's stderr in `host.Trap`).

use core::cell::UnsafeCell;
#[cfg(all(target_family = "wasm", feature = "threads"))]
use core::sync::atomic::{AtomicUsize, Ordering};

#[cfg(all(feature = "rayon", target_family = "wasm"))]
pub mod threads;

/// An element type a buffer may hold: the contract's `f64`, `f32`, `i32`
/// and `i64`. Sealed: no other type has an export name.
pub trait Elem: Copy + Send + Sync + 'static + sealed::Sealed {
    /// The zero of the type, what a fresh buffer holds.
    const ZERO: Self;
}

mod sealed {
    pub trait Sealed {}
}

macro_rules! elems {
    ($($t:ty = $z:expr),*) => {$(
        impl sealed::Sealed for $t {}
        impl Elem for $t {
            const ZERO: Self = $z;
        }
    )*};
}
elems!(f64 = 0.0, f32 = 0.0, i32 = 0, i64 = 0);

/// A buffer of capacity `N` elements of type `T` in the guest's linear
/// memory, declared to the host by [`buffer!`]. It holds zeros until the
/// host or a kernel writes it.
///
/// By default (`wasm32-wasip1`, and natively) it is a static array. With
/// feature `threads` (for `wasm32-wasip1-threads`) its pages are grown with `memory.grow` the first
/// time its offset is asked for (the host asks at instantiation): a large
/// static in a shared memory would be zero-filled by the start function on
/// every instantiation, while grown pages are zero by the WebAssembly
/// specification and cost nothing until used.
pub struct Buffer<T: Elem, const N: usize> {
    /// The name in its exports, for panic messages.
    name: &'static str,
    /// The elements, in a static of their own that is all zeros, so that
    /// the linker puts it in zero-initialized memory and the module carries
    /// no bytes for it (a name beside the elements in one static made the
    /// whole static initialized data: a 512 KiB buffer, 512 KiB of module).
    #[cfg(not(all(target_family = "wasm", feature = "threads")))]
    data: &'static Zeros<T, N>,
    #[cfg(all(target_family = "wasm", feature = "threads"))]
    base: AtomicUsize,
    #[cfg(all(target_family = "wasm", feature = "threads"))]
    _t: core::marker::PhantomData<UnsafeCell<T>>,
}

/// The elements of a [`Buffer`]: N zeros. [`buffer!`] declares one per
/// buffer, in a static of its own.
#[doc(hidden)]
pub struct Zeros<T: Elem, const N: usize>(UnsafeCell<[T; N]>);

// SAFETY: as for Buffer, whose elements these are.
unsafe impl<T: Elem, const N: usize> Sync for Zeros<T, N> {}

impl<T: Elem, const N: usize> Zeros<T, N> {
    #[doc(hidden)]
    #[allow(clippy::new_without_default)]
    pub const fn new() -> Self {
        Self(UnsafeCell::new([T::ZERO; N]))
    }
}

/// What [`Buffer::named`] takes for its elements: their static, or
/// nothing where they are grown pages (feature `threads`).
#[doc(hidden)]
#[cfg(not(all(target_family = "wasm", feature = "threads")))]
pub type Storage<T, const N: usize> = &'static Zeros<T, N>;
#[doc(hidden)]
#[cfg(all(target_family = "wasm", feature = "threads"))]
pub type Storage<T, const N: usize> = core::marker::PhantomData<T>;

/// The storage of one buffer, for [`buffer!`]: a static of zeros.
#[doc(hidden)]
#[cfg(not(all(target_family = "wasm", feature = "threads")))]
#[macro_export]
macro_rules! __storage {
    ($t:ident, $n:expr) => {{
        static DATA: $crate::Zeros<$t, { $n }> = $crate::Zeros::new();
        &DATA
    }};
}

/// The storage of one buffer, for [`buffer!`]: none (grown pages).
#[doc(hidden)]
#[cfg(all(target_family = "wasm", feature = "threads"))]
#[macro_export]
macro_rules! __storage {
    ($t:ident, $n:expr) => {
        core::marker::PhantomData
    };
}

// SAFETY: the contract: the host reads and writes a buffer only between
// kernel calls, and one kernel of an instance runs at a time; what a
// kernel does with the slices `get`/`get_mut` give is its own (unsafe)
// business.
unsafe impl<T: Elem, const N: usize> Sync for Buffer<T, N> {}

impl<T: Elem, const N: usize> Buffer<T, N> {
    /// The capacity in elements.
    pub const CAPACITY: usize = N;
    const BYTES: usize = {
        assert!(N > 0, "a buffer's capacity must be > 0");
        assert!(
            N <= (u32::MAX as usize) / core::mem::size_of::<T>(),
            "a buffer must fit in a 32-bit linear memory"
        );
        N * core::mem::size_of::<T>()
    };

    /// A buffer of zeros whose panics name it, its elements in `data`
    /// (what [`buffer!`] declares; declare buffers with it).
    #[doc(hidden)]
    pub const fn named(name: &'static str, data: Storage<T, N>) -> Self {
        let _ = Self::BYTES;
        #[cfg(all(target_family = "wasm", feature = "threads"))]
        let _ = data;
        Self {
            name,
            #[cfg(not(all(target_family = "wasm", feature = "threads")))]
            data,
            #[cfg(all(target_family = "wasm", feature = "threads"))]
            base: AtomicUsize::new(0),
            #[cfg(all(target_family = "wasm", feature = "threads"))]
            _t: core::marker::PhantomData,
        }
    }

    /// The address of the first element.
    fn ptr(&self) -> *mut T {
        #[cfg(not(all(target_family = "wasm", feature = "threads")))]
        {
            self.data.0.get().cast::<T>()
        }
        #[cfg(all(target_family = "wasm", feature = "threads"))]
        {
            let b = self.base.load(Ordering::Acquire);
            if b != 0 {
                return b as *mut T;
            }
            let old = core::arch::wasm32::memory_grow::<0>(Self::BYTES.div_ceil(65536));
            if old == usize::MAX {
                panic!("memory.grow failed for a buffer of {} bytes: over the host's memory limit", Self::BYTES);
            }
            let mine = old * 65536;
            match self.base.compare_exchange(0, mine, Ordering::AcqRel, Ordering::Acquire) {
                Ok(_) => mine as *mut T,
                Err(theirs) => theirs as *mut T, // another thread won; these pages stay unused
            }
        }
    }

    /// Panics unless `n` fits in the capacity, naming the buffer.
    #[track_caller]
    fn check(&self, n: usize) {
        if n > N {
            panic!("buffer \"{}\": {n} elements asked, past its capacity of {N}", self.name);
        }
    }

    /// The capacity in elements (N).
    pub const fn capacity(&self) -> usize {
        N
    }

    /// The buffer's byte offset in linear memory: what its `buffer-*`
    /// export answers.
    pub fn offset(&self) -> u32 {
        self.ptr() as usize as u32
    }

    /// The first `n` elements, to read.
    ///
    /// Panics when `n` exceeds the capacity; the message names the buffer
    /// and the caller's line (`#[track_caller]`), not this crate's.
    ///
    /// # Safety
    /// No `&mut` to these elements (from [`Buffer::get_mut`]) may be alive
    /// while the slice is.
    #[track_caller]
    pub unsafe fn get(&self, n: usize) -> &[T] {
        self.check(n);
        // SAFETY: in bounds; aliasing is the caller's promise.
        unsafe { core::slice::from_raw_parts(self.ptr(), n) }
    }

    /// The first `n` elements, to write.
    ///
    /// Panics when `n` exceeds the capacity, as [`Buffer::get`] does.
    ///
    /// # Safety
    /// No other reference to these elements may be alive while the slice
    /// is.
    #[allow(clippy::mut_from_ref)]
    #[track_caller]
    pub unsafe fn get_mut(&self, n: usize) -> &mut [T] {
        self.check(n);
        // SAFETY: in bounds; aliasing is the caller's promise.
        unsafe { core::slice::from_raw_parts_mut(self.ptr(), n) }
    }
}

/// Declares a buffer: a `static` [`Buffer`] and its two exports,
/// `buffer-<name>-<type>` (its byte offset) and `capacity-<name>` (its
/// capacity in elements). The name is kebab-case; the element type is one
/// of `f64`, `f32`, `i32`, `i64`.
///
/// ```ignore
/// wasmvec_guest::buffer!(pub static SAMPLES: [f64; 65_536] = "samples");
/// ```
#[macro_export]
macro_rules! buffer {
    ($(#[$m:meta])* $vis:vis static $id:ident : [$t:ident; $n:expr] = $name:literal $(;)?) => {
        $(#[$m])*
        $vis static $id: $crate::Buffer<$t, { $n }> = $crate::Buffer::named($name, $crate::__storage!($t, $n));
        const _: () = {
            #[unsafe(export_name = concat!("buffer-", $name, "-", stringify!($t)))]
            extern "C" fn offset() -> u32 {
                $id.offset()
            }
            #[unsafe(export_name = concat!("capacity-", $name))]
            extern "C" fn capacity() -> u32 {
                ($n) as u32
            }
        };
    };
}

/// Declares kernels: each function becomes an export of its name (or of
/// the kebab-case name given before `fn` with `=>`) with the C ABI. Its
/// parameters and result must be `i32`/`u32`, `i64`/`u64`, `f32` or `f64`
/// (at most 16 parameters, at most one result).
///
/// ```ignore
/// wasmvec_guest::kernel! {
///     fn sum(len: u32) -> f64 { /* ... */ 0.0 }
///     "gray-scott" => fn gray_scott(n: u32, steps: u32) -> i32 { 0 }
/// }
/// ```
#[macro_export]
macro_rules! kernel {
    () => {};
    ($(#[$m:meta])* $($name:literal =>)? fn $f:ident ($($a:ident : $at:ty),* $(,)?) $(-> $r:ty)? $body:block $($rest:tt)*) => {
        $(#[$m])*
        #[unsafe(export_name = $crate::__export_name!($($name)? ; $f))]
        pub extern "C" fn $f($($a: $at),*) $(-> $r)? $body
        $crate::kernel! { $($rest)* }
    };
}

/// A kernel's export name: the one given, else the function's.
#[doc(hidden)]
#[macro_export]
macro_rules! __export_name {
    ($name:literal ; $f:ident) => {
        $name
    };
    (; $f:ident) => {
        stringify!($f)
    };
}

/// Declares a threaded guest's start-up (write it once in the guest
/// crate): on `wasm32-wasip1-threads`, the reactor's `_initialize` export,
/// which stable Rust's cdylib lacks on that target: the thread pointer,
/// then the static constructors. On `wasm32-wasip1` (the single-thread
/// build) it expands to nothing: there the linker runs the static
/// constructors itself. It must be written in the guest crate itself: an
/// `_initialize` defined in this crate is not exported from the cdylib.
#[macro_export]
macro_rules! threaded_guest {
    () => {
        $crate::__initialize! {}
    };
}

/// The `_initialize` of [`threaded_guest!`] where this crate is built for
/// threads (cfg `wasmvec_threads`, from build.rs: stable Rust does not
/// tell the `atomics` target feature to `cfg`, so the guest crate cannot
/// decide this itself).
#[cfg(wasmvec_threads)]
#[doc(hidden)]
#[macro_export]
macro_rules! __initialize {
    () => {
        #[unsafe(no_mangle)]
        pub extern "C" fn _initialize() {
            unsafe extern "C" {
                fn __wasi_init_tp();
                fn __wasm_call_ctors();
            }
            // SAFETY: the host calls it once, before anything else.
            unsafe {
                __wasi_init_tp();
                __wasm_call_ctors();
            }
        }
    };
}

/// Nothing: the single-thread build's `_initialize` is the toolchain's.
#[cfg(not(wasmvec_threads))]
#[doc(hidden)]
#[macro_export]
macro_rules! __initialize {
    () => {};
}
