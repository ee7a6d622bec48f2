"""Safety (网格, 应急, 隐患): grids, grid workers, building volunteers and residents who need help in an emergency."""
