/*
 * dl_tags.h - every user diagnostic tag the compiler can give, once.
 * DTrace's own tag names (dt_errtags.h in illumos) where one exists.
 * Included with DL_TAG(name) defined; the order is not significant.
 */
DL_TAG(D_UNKNOWN)		/* unclassified */
DL_TAG(D_SYNTAX)		/* syntax error */
DL_TAG(D_EMPTY)			/* empty D program */
DL_TAG(D_PDESC_ZERO)		/* probe description matched zero probes */
DL_TAG(D_PDESC_INVAL)		/* malformed probe description */
DL_TAG(D_IDENT_UNDEF)		/* undefined identifier */
DL_TAG(D_IDENT_BADREF)		/* identifier used the wrong way */
DL_TAG(D_OP_INT)		/* operator requires an integer operand */
DL_TAG(D_OP_SCALAR)		/* operator requires a scalar operand */
DL_TAG(D_OP_ARITH)		/* operator requires an arithmetic operand */
DL_TAG(D_OP_LVAL)		/* operator requires a modifiable lvalue */
DL_TAG(D_OP_WRITE)		/* operator requires a writable variable */
DL_TAG(D_DECL_IDRED)		/* identifier redeclared */
DL_TAG(D_OP_INCOMPAT)		/* operands have incompatible types */
DL_TAG(D_DIV_ZERO)		/* division by zero in a constant */
DL_TAG(D_CAST_INVAL)		/* invalid cast */
DL_TAG(D_STRINGOF_TYPE)		/* stringof of a non-scalar */
DL_TAG(D_SIZEOF_TYPE)		/* sizeof applied to an invalid type */
DL_TAG(D_TYPE_ERR)		/* type name not understood */
DL_TAG(D_PROTO_LEN)		/* wrong number of arguments */
DL_TAG(D_PROTO_ARG)		/* argument of the wrong type */
DL_TAG(D_PRINTF_ARG_FMT)	/* printf format is not a string constant */
DL_TAG(D_PRINTF_ARG_TYPE)	/* printf argument incompatible with conversion */
DL_TAG(D_PRINTF_ARG_EXTRA)	/* printf has more arguments than conversions */
DL_TAG(D_PRINTF_ARG_PROTO)	/* printf has fewer arguments than conversions */
DL_TAG(D_PRINTF_DYN_PROTO)	/* printf: * width/precision needs an argument */
DL_TAG(D_PRINTF_DYN_TYPE)	/* printf: * width/precision must be integer */
DL_TAG(D_PRINTF_FMT_EMPTY)	/* printf format has no conversions and is empty */
DL_TAG(D_FMT_CONV)		/* unknown/invalid conversion in a format */
DL_TAG(D_MACRO_UNDEF)		/* macro argument $N not provided */
DL_TAG(D_MACRO_UNUSED)		/* macro argument given but not used */
DL_TAG(D_PRAGMA_MALFORM)	/* malformed #pragma */
DL_TAG(D_PRAGMA_OPTSET)		/* #pragma D option failed */
DL_TAG(D_PRAGMA_INVAL)		/* unknown #pragma D directive */
DL_TAG(D_ACT_SPEC)		/* action not allowed here */
DL_TAG(D_VAR_UNSUP)		/* variable not available on this kernel */
DL_TAG(D_STR_LITERAL)		/* bad string literal or escape */
DL_TAG(D_CHR_LITERAL)		/* bad character literal */
DL_TAG(D_INT_OFLOW)		/* integer constant too large */
DL_TAG(D_INT_DIGIT)		/* invalid digit in an integer constant */
DL_TAG(D_PRAGCTL_INVAL)		/* unknown #control directive */
DL_TAG(D_PRAGERR)		/* #pragma error / #error */
DL_TAG(D_FUNC_IDENT)		/* called expression is not a function name */
DL_TAG(D_TRACEMEM_ADDR)		/* tracemem address not scalar */
DL_TAG(D_TRACEMEM_SIZE)		/* tracemem size not a positive constant */
DL_TAG(D_PRINT_SIZE)		/* print of a type of size 0 */
DL_TAG(D_TRACEMEM_DSIZE)	/* tracemem dsize not an integer */
DL_TAG(D_UNSUPPORTED)		/* valid D that this dtrace cannot do yet */
DL_TAG(D_LIMIT)			/* a named limit was exceeded */
DL_TAG(D_ARGS_IDX)		/* args[] index not a constant in range */
DL_TAG(D_ARGS_TYPE)		/* args[] without types for these probes */
DL_TAG(D_ACT_DESTRUCT)		/* destructive action without -w */
DL_TAG(D_DEREF_NONPTR)		/* * of a non-pointer */
DL_TAG(D_DEREF_VOID)		/* * of a void pointer */
DL_TAG(D_OP_PTR)		/* -> on a non-pointer */
DL_TAG(D_OP_SOU)		/* . on a non-struct */
DL_TAG(D_TYPE_MEMBER)		/* no such member */
DL_TAG(D_STACK_SIZE)		/* stack( ) frames not a positive constant */
DL_TAG(D_USTACK_FRAMES)		/* ustack( ) frames not a positive constant */
DL_TAG(D_USTACK_STRSIZE)	/* ustack( ) strsize not a constant */
DL_TAG(D_AGG_FUNC)		/* aggregation assigned a non-aggregating value */
DL_TAG(D_AGG_REDEF)		/* aggregation used with another function */
DL_TAG(D_AGG_SCALAR)		/* aggregating function needs a scalar */
DL_TAG(D_KEY_TYPE)		/* invalid aggregation key type */
DL_TAG(D_CG_EXPR)		/* aggregating function used in an expression */
DL_TAG(D_PRINTA_AGGARG)		/* printa argument not an aggregation */
DL_TAG(D_PRINTA_PROTO)		/* printa format without aggregation */
DL_TAG(D_PRINTA_AGGBAD)		/* printa of an undefined aggregation */
DL_TAG(D_PRINTA_AGGKEY)		/* printa: key counts differ */
DL_TAG(D_PRINTA_AGGPROTO)	/* printa: key types differ */
DL_TAG(D_CLEAR_AGGARG)		/* clear argument not an aggregation */
DL_TAG(D_CLEAR_AGGBAD)		/* clear of an undefined aggregation */
DL_TAG(D_TRUNC_AGGARG)		/* trunc argument not an aggregation */
DL_TAG(D_TRUNC_AGGBAD)		/* trunc of an undefined aggregation */
DL_TAG(D_NORMALIZE_AGGARG)	/* (de)normalize argument not an aggregation */
DL_TAG(D_NORMALIZE_SCALAR)	/* normalize factor not a scalar */
DL_TAG(D_NORMALIZE_AGGBAD)	/* (de)normalize of an undefined aggregation */
DL_TAG(D_LQUANT_BASETYPE)	/* lquantize base not an integer constant */
DL_TAG(D_LQUANT_BASEVAL)	/* lquantize base not 32 bits */
DL_TAG(D_LQUANT_LIMTYPE)	/* lquantize limit not an integer constant */
DL_TAG(D_LQUANT_LIMVAL)		/* lquantize limit not 32 bits */
DL_TAG(D_LQUANT_MISMATCH)	/* lquantize limit not above base */
DL_TAG(D_LQUANT_STEPTYPE)	/* lquantize step not a positive constant */
DL_TAG(D_LQUANT_STEPVAL)	/* lquantize step not 16 bits */
DL_TAG(D_LQUANT_STEPLARGE)	/* lquantize: no level */
DL_TAG(D_LQUANT_STEPSMALL)	/* lquantize: too many levels */
DL_TAG(D_LQUANT_MATCHBASE)	/* lquantize base differs from before */
DL_TAG(D_LQUANT_MATCHLIM)	/* lquantize limit differs from before */
DL_TAG(D_LQUANT_MATCHSTEP)	/* lquantize step differs from before */
DL_TAG(D_LLQUANT_FACTORTYPE)	/* llquantize factor not a constant */
DL_TAG(D_LLQUANT_FACTORVAL)	/* llquantize factor out of range */
DL_TAG(D_LLQUANT_LMAGTYPE)	/* llquantize low magnitude not a constant */
DL_TAG(D_LLQUANT_LMAGVAL)	/* llquantize low magnitude out of range */
DL_TAG(D_LLQUANT_HMAGTYPE)	/* llquantize high magnitude not a constant */
DL_TAG(D_LLQUANT_HMAGVAL)	/* llquantize high magnitude out of range */
DL_TAG(D_LLQUANT_STEPTYPE)	/* llquantize steps not a positive constant */
DL_TAG(D_LLQUANT_STEPVAL)	/* llquantize steps out of range */
DL_TAG(D_LLQUANT_MATCHFACTOR)	/* llquantize factor differs from before */
DL_TAG(D_LLQUANT_MATCHLMAG)	/* llquantize lmag differs from before */
DL_TAG(D_LLQUANT_MATCHHMAG)	/* llquantize hmag differs from before */
DL_TAG(D_LLQUANT_MATCHSTEPS)	/* llquantize steps differ from before */
DL_TAG(D_DECL_TYPERED)		/* struct/union/enum type redeclared */
DL_TAG(D_DECL_MNAME)		/* member declaration without a name */
DL_TAG(D_DECL_INCOMPLETE)	/* member of an incomplete type */
DL_TAG(D_DECL_VOIDOBJ)		/* member of type void */
DL_TAG(D_DECL_ENCONST)		/* enumerator value not a constant */
DL_TAG(D_DECL_ENOFLOW)		/* enumerator value overflows int */
DL_TAG(D_DECL_ARRSUB)		/* array size not a constant */
DL_TAG(D_DECL_BFCONST)		/* bit-field width not a positive constant */
DL_TAG(D_DECL_BFSIZE)		/* bit-field wider than its type */
DL_TAG(D_DECL_BFTYPE)		/* bit-field of a non-integer type */
DL_TAG(D_DECL_LOCASSC)		/* this-> associative array declared */
DL_TAG(D_DECL_PROTO_TYPE)	/* bad key type in an array prototype */
DL_TAG(D_DECL_PROTO_VOID)	/* void among other keys */
DL_TAG(D_OFFSETOF_TYPE)		/* offsetof of a non-struct type */
DL_TAG(D_OFFSETOF_BITFIELD)	/* offsetof of a bit-field */
DL_TAG(D_XLATE_REDECL)		/* translator redeclared */
DL_TAG(D_XLATE_NOCONV)		/* translator does not define the member */
DL_TAG(D_XLATE_NONE)		/* no translator for these types */
DL_TAG(D_XLATE_SOU)		/* translator output not a struct/union */
DL_TAG(D_XLATE_INCOMPAT)	/* translator member of incompatible type */
DL_TAG(D_XLATE_MEMB)		/* translator member not in its output */
DL_TAG(D_PRAGMA_DEPEND)		/* #pragma D depends_on not satisfied */
DL_TAG(D_ADDROF_VAR)		/* & of a D variable */
DL_TAG(D_ADDROF_LVAL)		/* & of something that is not an lvalue */
DL_TAG(D_ADDROF_BITFIELD)	/* & of a bit-field */
DL_TAG(D_SYM_BADREF)		/* ``sym names a kernel symbol */
DL_TAG(D_SYM_NOTYPES)		/* a kernel symbol without a type */
DL_TAG(D_OP_ARRAY)		/* [ ] on a non-array, non-pointer */
DL_TAG(D_ARR_BOUNDS)		/* a constant index outside an array */
